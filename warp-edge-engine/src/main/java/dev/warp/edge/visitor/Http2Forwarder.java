package dev.warp.edge.visitor;

import java.util.ArrayList;
import java.util.List;

import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.exchange.Exchange;
import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.exchange.FailedRequests;
import dev.warp.edge.exchange.RequestBodies;
import dev.warp.edge.tunnel.StreamConnection;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import org.jspecify.annotations.Nullable;

/**
 * Forwards an HTTP/2 visitor's requests down the tunnel with Netty writes of its own
 * ({@link Http2Visitor}): no stream channels, no conversion of each stream's frames to HTTP/1.1
 * objects and back. Sits in the visitor connection's pipeline after Netty's HTTP/2 frame codec
 * ({@link VisitorPipeline}); it takes every stream's frames and writes the responses' frames to
 * the codec.
 *
 * <p>It takes every request: an extended {@code CONNECT} (a WebSocket) goes to
 * {@link Http2WebSocket}, which opens it or answers it; any other is sent to its hostname's upstream, or answered here: {@code 503} when no
 * tunnel serves its hostname, what its head alone decides ({@link EarlyAnswers}), a reset of its
 * stream (PROTOCOL_ERROR) when it is malformed. A body of any length streams to the tunnel: its bytes go back to
 * the visitor's flow-control window only once they left for the tunnel, so a slow app slows the
 * visitor and the edge holds at most a window of each stream's body. A body declared longer than
 * the node forwards is answered {@code 413} at once, one that grows past it as it comes as soon
 * as it does; the visitor is then asked to stop sending it (RST_STREAM with NO_ERROR). The edge
 * answers {@code expect: 100-continue} itself. What still comes on a stream whose answer ended (the
 * rest of a body it did not read) is dropped, its bytes given back to the connection's window.
 */
public final class Http2Forwarder extends ChannelInboundHandlerAdapter {

	static final String NAME = "warp.http2Forwarder";

	private final ExchangeSettings settings;

	/** The requests taken here whose streams are still open, by stream id. */
	private final IntObjectMap<Exchange> exchanges = new IntObjectHashMap<>();

	/** The WebSockets taken here whose streams are still open, by stream id. */
	private final IntObjectMap<Http2WebSocket> webSockets = new IntObjectHashMap<>();

	/**
	 * The highest stream id whose first HEADERS frame was seen: a visitor's new stream always
	 * has a higher one (RFC 9113 5.1.1), so a HEADERS frame of a lower id is a stream's trailers.
	 */
	private int lastStreamId;

	private @Nullable ChannelHandlerContext context;

	private @Nullable Http2Connection connection;

	private @Nullable RequestHeaderTimeout headerTimeout;

	private boolean flushScheduled;

	/** Tunnel connections on other loops that streams were opened on during this read, to wake at its end. */
	private final List<StreamConnection> toWake = new ArrayList<>(2);

	/**
	 * Requests taken during this read, sent to the tunnel at its end: a stream the visitor reset
	 * in the same read (HTTP/2 rapid reset sends HEADERS and RST_STREAM together) is never opened
	 * on the tunnel, so its application never sees it.
	 */
	private final List<Started> toStart = new ArrayList<>(4);

	private final boolean fromPeer;

	/**
	 * @param fromPeer whether the connection is another edge node's, to this node's peer listener:
	 * its requests keep the forwarding headers and ray id that node gave them
	 */
	public Http2Forwarder(ExchangeSettings settings, boolean fromPeer) {
		this.settings = settings;
		this.fromPeer = fromPeer;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.context = ctx;
		Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
		this.connection = (codec != null) ? codec.connection() : null;
		this.headerTimeout = ctx.pipeline().get(RequestHeaderTimeout.class);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof Http2StreamFrame frame && frame.stream() != null) {
			int id = frame.stream().id();
			if (!this.webSockets.isEmpty() && webSocketFrame(id, frame)) {
				return;
			}
			Exchange exchange = this.exchanges.get(id);
			if (exchange != null) {
				requestFrame(exchange, frame);
				return;
			}
			if (frame instanceof Http2HeadersFrame headers && id > this.lastStreamId) {
				this.lastStreamId = id;
				if (take(ctx, headers)) {
					return;
				}
			}
			if (frame instanceof Http2DataFrame data) {
				consumed(data.stream(), data.initialFlowControlledBytes());
			}
			ReferenceCountUtil.release(frame);
			return;
		}
		ctx.fireChannelRead(msg);
	}

	/** A frame of a stream taken here after its HEADERS: a part of its body, its trailers, or its reset. */
	private void requestFrame(Exchange exchange, Http2StreamFrame frame) {
		if (frame instanceof Http2DataFrame data) {
			// Padding is nobody's to forward: its share of the window goes back at once.
			consumed(data.stream(), data.initialFlowControlledBytes() - data.content().readableBytes());
			exchange.requestContent(data.content(), data.isEndStream());
		}
		else if (frame instanceof Http2HeadersFrame) {
			// Request trailers end the body; they are dropped, as on the general path.
			exchange.requestContent(Unpooled.EMPTY_BUFFER, true);
		}
		else if (frame instanceof Http2ResetFrame) {
			this.exchanges.remove(frame.stream().id());
			exchange.visitorLeft();
		}
		else {
			ReferenceCountUtil.release(frame);
		}
	}

	private boolean take(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
		Http2Headers headers = frame.headers();
		CharSequence method = headers.method();
		boolean hasBody = !frame.isEndStream();
		boolean connect = method != null && HttpMethod.CONNECT.asciiName().contentEquals(method);
		if (this.connection == null) {
			return false;
		}
		if (connect && headers.contains(Http2Headers.PseudoHeaderName.PROTOCOL.value())) {
			return takeWebSocket(ctx, frame);
		}
		if (method == null || (headers.path() == null && !connect)) {
			// Malformed (RFC 9113 8.3.1): a stream error, the connection serves on.
			resetMalformed(ctx, frame);
			return true;
		}
		CharSequence authority = headers.authority();
		if (authority == null) {
			authority = headers.get(HttpHeaderNames.HOST);
		}
		String host = (authority != null) ? authority.toString().trim() : "";
		String hostname = TunnelProtocol.routingHostname(host);
		FailedRequests.Answer answer = EarlyAnswers.of(headers, connect, hostname);
		StreamConnection tunnel = (answer == null) ? this.settings.upstream().select(hostname) : null;
		if (answer == null && tunnel == null) {
			answer = FailedRequests.noTunnel(hostname);
		}
		Http2Visitor visitor;
		try {
			visitor = new Http2Visitor(this, ctx, frame.stream(), headers, hasBody, host, (answer == null) ? hostname : null,
					this.fromPeer, this.settings);
		}
		catch (IllegalArgumentException ex) {
			// A method name that is no token.
			resetMalformed(ctx, frame);
			return true;
		}
		if (this.headerTimeout != null) {
			this.headerTimeout.streamHeadersReceived();
		}
		Exchange exchange = visitor.exchange();
		this.exchanges.put(frame.stream().id(), exchange);
		if (answer != null) {
			exchange.refuse(answer);
		}
		else if (hasBody && RequestBodies.declaredLength(headers.get(HttpHeaderNames.CONTENT_LENGTH)) > this.settings.maxRequestBody()) {
			exchange.bodyTooLarge();
		}
		else {
			if (hasBody && headers.contains(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE, true)) {
				// The edge answers the expectation itself, as the origin server it is to the visitor
				// (RFC 9110 3.7, 10.1.1): the body is read at once, the app never sees the expectation.
				visitor.writeContinue();
			}
			this.toStart.add(new Started(exchange, tunnel));
		}
		return true;
	}

	private void resetMalformed(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
		ctx.write(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR).stream(frame.stream()));
		flushSoon();
	}

	private boolean takeWebSocket(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
		Http2WebSocket webSocket = Http2WebSocket.take(this, ctx, frame, this.settings);
		if (this.headerTimeout != null) {
			this.headerTimeout.streamHeadersReceived();
		}
		this.webSockets.put(frame.stream().id(), webSocket);
		return true;
	}

	/** A frame of a WebSocket's stream taken here, if {@code id} is one. */
	private boolean webSocketFrame(int id, Http2StreamFrame frame) {
		Http2WebSocket webSocket = this.webSockets.get(id);
		if (webSocket == null) {
			return false;
		}
		if (frame instanceof Http2DataFrame data) {
			webSocket.data(data);
			return true;
		}
		if (frame instanceof Http2ResetFrame) {
			this.webSockets.remove(id);
			webSocket.visitorEnded();
		}
		ReferenceCountUtil.release(frame);
		return true;
	}

	/** Sends the requests of this read that the visitor did not reset in it to their tunnels. */
	private void startTaken() {
		if (this.toStart.isEmpty()) {
			return;
		}
		for (Started started : this.toStart) {
			if (started.exchange().isEnded()) {
				continue;
			}
			// Another loop's connection is woken once at the end of this read, not once per request.
			StreamConnection tunnel = started.tunnel();
			boolean local = tunnel.isOnCurrentEventLoop();
			started.exchange().start(tunnel, local);
			if (!local && !this.toWake.contains(tunnel)) {
				this.toWake.add(tunnel);
			}
		}
		this.toStart.clear();
	}

	/** A request taken during the current read, and the tunnel connection chosen for it. */
	private record Started(Exchange exchange, StreamConnection tunnel) {
	}

	/**
	 * Gives a stream's received body bytes back to the visitor's flow-control window, so that it
	 * may send more.
	 */
	void consumed(Http2FrameStream stream, int bytes) {
		ChannelHandlerContext ctx = this.context;
		if (bytes > 0 && ctx != null && ctx.channel().isActive()) {
			ctx.write(new DefaultHttp2WindowUpdateFrame(bytes).stream(stream));
			flushSoon();
		}
	}

	/** The exchange wrote its whole response (or reset its stream): its stream is done here. */
	void exchangeEnded(Http2FrameStream stream) {
		this.exchanges.remove(stream.id());
	}

	/**
	 * Flushes the connection once the writes of this event-loop turn are done: the responses of
	 * many streams that end in one turn leave in one write.
	 */
	void flushSoon() {
		ChannelHandlerContext ctx = this.context;
		if (!this.flushScheduled && ctx != null) {
			this.flushScheduled = true;
			ctx.executor().execute(() -> {
				this.flushScheduled = false;
				ctx.flush();
			});
		}
	}

	/** Whether the visitor takes more of a stream's body now: its connection and its flow-control window. */
	boolean isWritable(Http2FrameStream frameStream) {
		Http2Connection connection = this.connection;
		ChannelHandlerContext ctx = this.context;
		if (connection == null || ctx == null) {
			return false;
		}
		Http2Stream stream = connection.stream(frameStream.id());
		return stream != null && ctx.channel().isWritable() && connection.remote().flowController().isWritable(stream);
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		startTaken();
		wakeTunnels();
		ctx.fireChannelReadComplete();
	}

	private void wakeTunnels() {
		if (!this.toWake.isEmpty()) {
			for (StreamConnection tunnel : this.toWake) {
				tunnel.wakeUp();
			}
			this.toWake.clear();
		}
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
		if (evt instanceof Http2FrameStreamEvent event && !this.webSockets.isEmpty()
				&& event.stream().state() == Http2Stream.State.CLOSED) {
			Http2WebSocket webSocket = this.webSockets.remove(event.stream().id());
			if (webSocket != null) {
				webSocket.visitorEnded();
			}
		}
		if (evt instanceof Http2FrameStreamEvent event && !this.exchanges.isEmpty()) {
			Exchange exchange = this.exchanges.get(event.stream().id());
			if (exchange != null) {
				if (event.type() == Http2FrameStreamEvent.Type.Writability) {
					exchange.writable();
				}
				else if (event.stream().state() == Http2Stream.State.CLOSED) {
					// Closed before its response ended: the visitor reset it, or the connection failed.
					this.exchanges.remove(event.stream().id());
					exchange.visitorLeft();
				}
			}
		}
		ctx.fireUserEventTriggered(evt);
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (ctx.channel().isWritable() && !this.exchanges.isEmpty()) {
			for (Exchange exchange : this.exchanges.values().toArray(new Exchange[0])) {
				exchange.writable();
			}
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		visitorLeft();
		ctx.fireChannelInactive();
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		visitorLeft();
	}

	private void visitorLeft() {
		// Should a read end without its completion, what it started still reaches the tunnel;
		// what it took but did not start has ended with the visitor (below) and is not started.
		this.toStart.clear();
		wakeTunnels();
		if (!this.webSockets.isEmpty()) {
			Http2WebSocket[] open = this.webSockets.values().toArray(new Http2WebSocket[0]);
			this.webSockets.clear();
			for (Http2WebSocket webSocket : open) {
				webSocket.visitorEnded();
			}
		}
		if (this.exchanges.isEmpty()) {
			return;
		}
		Exchange[] left = this.exchanges.values().toArray(new Exchange[0]);
		this.exchanges.clear();
		for (Exchange exchange : left) {
			exchange.visitorLeft();
		}
	}

}
