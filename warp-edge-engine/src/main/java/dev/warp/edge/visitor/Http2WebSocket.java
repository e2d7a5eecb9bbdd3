package dev.warp.edge.visitor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.exchange.FailedRequests;
import dev.warp.edge.exchange.ForwardedHeaders;
import dev.warp.edge.exchange.RayIds;
import dev.warp.edge.tunnel.ResponseHead;
import dev.warp.edge.tunnel.WebSocketStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/2 visitor's WebSocket (RFC 8441 extended CONNECT), taken from {@link Http2Forwarder}:
 * the handshake goes to the application ({@link WebSocketHandshake}); only once it accepted does
 * the visitor's stream get its {@code 200}, with the subprotocol the application chose, and its
 * DATA frames carry the WebSocket's frames both ways ({@link WebSocketFrameBytes}) through a
 * {@link WebSocketRelay}, the visitor's flow-control window given back once its frames were
 * written to the tunnel. A refusal reaches the visitor as the response it is, a failure as
 * {@code 502} or {@code 504}; a handshake the edge refuses ({@link WebSocketUpgrade#refusal}) or
 * has no tunnel connection here for gets the edge's answer without the application seeing it. Each
 * ends the stream, not the connection. The WebSocket's close
 * ends the stream; a visitor that resets it or leaves gets the application's stream reset.
 *
 * <p>On the visitor connection's event loop, but for {@link #write} and {@link #readMore}.
 */
final class Http2WebSocket implements WebSocketHandshake.Answers, WebSocketRelay.Visitor {

	/** How long a visitor has to end its side of the stream after the edge closed the WebSocket. */
	private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

	/** Buffers of a refusal's body asked of the tunnel stream ahead of the visitor's writes. */
	private static final int PREFETCH = 4;

	private final Http2Forwarder forwarder;

	private final ChannelHandlerContext ctx;

	private final Http2FrameStream stream;

	private final ExchangeSettings settings;

	private final String host;

	private final String ray;

	private final @Nullable CharSequence requestedProtocol;

	private final WebSocketHandshake handshake;

	private final WebSocketFrameBytes codec = new WebSocketFrameBytes();

	private final Promise<Void> ended;

	/** The window bytes of the visitor's reads not given back yet, oldest first. */
	private final ArrayDeque<Integer> credits = new ArrayDeque<>(4);

	private @Nullable WebSocketRelay relay;

	/** Whether the edge ended its side of the stream. */
	private boolean endSent;

	private Http2WebSocket(Http2Forwarder forwarder, ChannelHandlerContext ctx, Http2FrameStream stream,
			Http2Headers request, ExchangeSettings settings) {
		this.forwarder = forwarder;
		this.ctx = ctx;
		this.stream = stream;
		this.settings = settings;
		this.ray = RayIds.next(settings.nodeId());
		this.requestedProtocol = request.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
		this.ended = ctx.executor().newPromise();
		CharSequence authority = (request.authority() != null) ? request.authority() : request.get(HttpHeaderNames.HOST);
		this.handshake = new WebSocketHandshake(settings, ctx.executor(), this,
				(authority != null) ? authority.toString() : null, this.ray);
		this.host = this.handshake.host();
	}

	/**
	 * Takes an extended CONNECT (RFC 8441, a {@code CONNECT} with {@code :protocol}): sends a
	 * WebSocket handshake to a tunnel connection of its hostname, or answers it (another protocol,
	 * a handshake the edge refuses, no tunnel connection here); either way its stream is the
	 * returned WebSocket's until it closes.
	 */
	static Http2WebSocket take(Http2Forwarder forwarder, ChannelHandlerContext ctx, Http2HeadersFrame frame,
			ExchangeSettings settings) {
		Http2Headers headers = frame.headers();
		Http2WebSocket webSocket = new Http2WebSocket(forwarder, ctx, frame.stream(), headers, settings);
		String visitorIp = ForwardedHeaders.visitorIp(ctx.channel().remoteAddress());
		webSocket.handshake.start(WebSocketUpgrade.refusal(headers, webSocket.handshake.hostname()),
				() -> WebSocketUpgrade.toExtendedConnect(ForwardedHeaders.forTunnel(headers, settings.scheme(),
						webSocket.host, visitorIp, webSocket.ray)));
		return webSocket;
	}

	/** A DATA frame of the visitor's stream: frames of the open WebSocket. */
	void data(Http2DataFrame data) {
		int bytes = data.initialFlowControlledBytes();
		boolean end = data.isEndStream();
		WebSocketRelay relay = this.relay;
		if (relay == null || this.ended.isDone()) {
			// Nothing is relayed before the 200 (a visitor sends no frame before it) or after the end.
			data.release();
			this.forwarder.consumed(this.stream, bytes);
		}
		else {
			List<WebSocketFrame> frames;
			try {
				frames = this.codec.decode(this.ctx, data.content());
			}
			catch (Exception ex) {
				relay.visitorFailed(ex);
				this.forwarder.consumed(this.stream, bytes);
				relay.visitorFrame(new CloseWebSocketFrame(WebSocketCloseStatus.PROTOCOL_ERROR));
				return;
			}
			for (WebSocketFrame frame : frames) {
				relay.visitorFrame(frame);
			}
			this.credits.add(bytes);
			relay.visitorReadComplete();
		}
		if (end) {
			visitorEnded();
		}
	}

	/** The visitor ended its side of the stream or reset it, or the stream or its connection closed. */
	void visitorEnded() {
		if (this.ended.isDone()) {
			return;
		}
		this.handshake.visitorLeft();
		if (!this.endSent && this.ctx.channel().isActive()) {
			this.endSent = true;
			reset(Http2Error.CANCEL);
		}
		end();
	}

	private void end() {
		this.codec.release();
		this.ended.trySuccess(null);
	}

	private void reset(Http2Error error) {
		this.ctx.write(new DefaultHttp2ResetFrame(error).stream(this.stream));
		this.forwarder.flushSoon();
	}

	// The handshake's answers.

	@Override
	public void accepted(WebSocketStream tunnel, ResponseHead head) {
		if (!isActive()) {
			tunnel.cancel();
			return;
		}
		Http2Headers headers = responseHeaders(HttpResponseStatus.OK, head);
		headers.remove(HttpHeaderNames.CONTENT_LENGTH);
		headers.remove(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
		headers.remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
		String protocol = WebSocketUpgrade.subprotocol((this.requestedProtocol != null) ? this.requestedProtocol.toString() : null,
				head.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
		if (protocol != null) {
			headers.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, protocol);
		}
		this.ctx.write(new DefaultHttp2HeadersFrame(headers, false).stream(this.stream));
		this.forwarder.flushSoon();
		WebSocketRelay relay = new WebSocketRelay(this, tunnel, this.host, this.ray,
				() -> this.handshake.record(HttpResponseStatus.OK.code()));
		this.relay = relay;
		relay.start(this.settings.webSocketPingInterval());
	}

	@Override
	public void refused(WebSocketStream tunnel, ResponseHead head) {
		if (!isActive()) {
			tunnel.cancel();
			return;
		}
		Http2Headers headers = responseHeaders(HttpResponseStatus.valueOf(head.status()), head);
		if (head.endOfStream()) {
			answered(tunnel, this.ctx.write(new DefaultHttp2HeadersFrame(headers, true).stream(this.stream)));
			return;
		}
		this.ctx.write(new DefaultHttp2HeadersFrame(headers, false).stream(this.stream));
		this.forwarder.flushSoon();
		tunnel.receive(new WebSocketStream.Receiver() {

			@Override
			public void next(Object message) {
				writeData((ByteBuf) message, false).addListener((written) -> {
					if (written.isSuccess()) {
						tunnel.request(1);
					}
				});
			}

			@Override
			public void end(@Nullable Throwable failure) {
				Http2WebSocket.this.handshake.onLoop(() -> {
					if (failure != null) {
						// The body broke: the visitor must not take what it got for whole.
						tunnel.cancel();
						Http2WebSocket.this.endSent = true;
						reset(Http2Error.INTERNAL_ERROR);
						return;
					}
					answered(tunnel, Http2WebSocket.this.ctx
						.write(new DefaultHttp2DataFrame(true).stream(Http2WebSocket.this.stream)));
				});
			}

		});
		tunnel.request(PREFETCH);
	}

	@Override
	public void failed(FailedRequests.Answer answer) {
		if (!isActive()) {
			return;
		}
		byte[] body = EdgeErrors.bodyBytes(answer.cause(), this.ray);
		Http2Headers headers = EdgeErrors.http2Headers(answer.status(), body.length, this.ray);
		if (answer.status().equals(HttpResponseStatus.UPGRADE_REQUIRED)) {
			// RFC 6455 4.4: the version to ask for instead.
			headers.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, WebSocketUpgrade.VERSION);
		}
		this.ctx.write(new DefaultHttp2HeadersFrame(headers, false).stream(this.stream));
		answered(null, this.ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true).stream(this.stream)));
	}

	/**
	 * The response to a handshake that did not open a WebSocket is whole: the tunnel stream is
	 * reset (the edge never ended its side of the CONNECT), and so is the visitor's, without
	 * error (RFC 9113 8.1), for the visitor does not end a CONNECT's side either; only once the
	 * response's last frame was written, for a reset drops the DATA that still waits in the
	 * stream's flow control.
	 */
	private void answered(@Nullable WebSocketStream tunnel, ChannelFuture lastWrite) {
		if (tunnel != null) {
			tunnel.cancel();
		}
		this.endSent = true;
		lastWrite.addListener((written) -> {
			if (written.isSuccess() && this.ctx.channel().isActive()) {
				reset(Http2Error.NO_ERROR);
			}
		});
		this.forwarder.flushSoon();
	}

	private Http2Headers responseHeaders(HttpResponseStatus status, ResponseHead head) {
		Http2Headers headers = new DefaultHttp2Headers(true, true, head.headers().size() + 2);
		headers.status(status.codeAsText());
		ForwardedHeaders.toVisitor(head.headers(), headers);
		headers.set(EdgeErrors.RAY_HEADER_LOWER, this.ray);
		return headers;
	}

	// The open WebSocket's transport, for the relay.

	@Override
	public EventExecutor executor() {
		return this.ctx.executor();
	}

	@Override
	public boolean isActive() {
		return !this.endSent && !this.ended.isDone() && this.ctx.channel().isActive();
	}

	@Override
	public ChannelFuture write(WebSocketFrame frame) {
		ChannelPromise promise = this.ctx.newPromise();
		this.handshake.onLoop(() -> {
			if (!isActive()) {
				frame.release();
				promise.tryFailure(new IllegalStateException("the visitor's WebSocket stream has ended"));
				return;
			}
			ByteBuf bytes;
			try {
				bytes = this.codec.encode(this.ctx, frame);
			}
			catch (Exception ex) {
				promise.tryFailure(ex);
				return;
			}
			this.ctx.write(new DefaultHttp2DataFrame(bytes, false).stream(this.stream), promise);
			this.forwarder.flushSoon();
		});
		return promise;
	}

	private ChannelFuture writeData(ByteBuf bytes, boolean endStream) {
		ChannelPromise promise = this.ctx.newPromise();
		this.handshake.onLoop(() -> {
			this.ctx.write(new DefaultHttp2DataFrame(bytes, endStream).stream(this.stream), promise);
			this.forwarder.flushSoon();
		});
		return promise;
	}

	@Override
	public void closeWith(CloseWebSocketFrame close) {
		ByteBuf bytes;
		try {
			bytes = this.codec.encode(this.ctx, close);
		}
		catch (Exception ex) {
			bytes = Unpooled.EMPTY_BUFFER;
		}
		this.endSent = true;
		this.ctx.write(new DefaultHttp2DataFrame(bytes, true).stream(this.stream));
		this.forwarder.flushSoon();
		end();
		this.ctx.executor().schedule(() -> {
			if (this.stream.state() != Http2Stream.State.CLOSED && this.ctx.channel().isActive()) {
				reset(Http2Error.CANCEL);
			}
		}, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void readMore() {
		this.handshake.onLoop(() -> {
			Integer bytes = this.credits.poll();
			if (bytes != null) {
				this.forwarder.consumed(this.stream, bytes);
			}
		});
	}

	@Override
	public Future<?> ended() {
		return this.ended;
	}

}
