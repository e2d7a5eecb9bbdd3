package dev.warp.edge.visitor;

import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.exchange.FailedRequests;
import dev.warp.edge.exchange.ForwardedHeaders;
import dev.warp.edge.exchange.RayIds;
import dev.warp.edge.exchange.RequestBodies;
import dev.warp.edge.log.LogText;
import dev.warp.edge.tunnel.ResponseHead;
import dev.warp.edge.tunnel.WebSocketStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 visitor's WebSocket handshake, taken from {@link Http1Forwarder}, whose place in
 * the connection's pipeline it takes: a connection that asked to become a WebSocket carries
 * nothing else. The handshake goes to the application first, as an RFC 8441 extended CONNECT,
 * retried once on another connection of the hostname when the application never saw it; only
 * once it accepted does the visitor get its {@code 101}, with the subprotocol the application
 * chose, and the connection's HTTP codec gives way to the WebSocket frame codec and a
 * {@link WebSocketRelay}. A refusal reaches the visitor as the ordinary response it is; a failure
 * as {@code 502} or {@code 504} ({@link FailedRequests}). A handshake the edge refuses
 * ({@link WebSocketUpgrade#refusal}: {@code 426}, {@code 400}) or has no tunnel connection here for
 * ({@code 503}) never reaches the application. After any of these, once whole, the
 * {@link Http1Forwarder} takes the connection back for the next request, unless the visitor asked
 * to close it, sent more behind the handshake, or sent a body with it (read and dropped while the
 * connection closes: {@link LingeringClose}).
 *
 * <p>Confined to the visitor's event loop: the tunnel stream's signals hop onto it.
 */
final class WebSocketVisitor extends ChannelInboundHandlerAdapter implements WebSocketHandshake.Answers {

	static final String NAME = "warp.webSocketVisitor";

	private static final Logger logger = LoggerFactory.getLogger(WebSocketVisitor.class);

	/** Buffers of a refusal's body asked of the tunnel stream ahead of the visitor's writes. */
	private static final int PREFETCH = 4;

	private final ExchangeSettings settings;

	private final HttpHeaders requestHeaders;

	private final String host;

	private final String ray;

	private final WebSocketHandshake handshake;

	private ChannelHandlerContext ctx;

	/** What the connection goes back to when the handshake did not open a WebSocket. */
	private final Http1Forwarder forwarder;

	/** Whether the connection can serve another request once the answer is whole. */
	private final boolean keepAlive;

	/** Whether the handshake came with a body: the connection closes after the answer. */
	private final boolean bodySent;

	/** Whether the handshake's end was read; anything read after it makes the connection close. */
	private boolean requestEnded;

	private boolean readBeyond;

	/** Whether the answer is whole and the connection goes back once the handshake's end is read. */
	private boolean handBackPending;

	private WebSocketVisitor(ChannelHandlerContext forwarder, HttpRequest request, ExchangeSettings settings,
			Http1Forwarder http1, boolean keepAlive) {
		this.settings = settings;
		this.forwarder = http1;
		this.bodySent = RequestBodies.hasBody(request.headers());
		this.keepAlive = keepAlive && HttpUtil.isKeepAlive(request) && !this.bodySent;
		this.requestEnded = request instanceof LastHttpContent;
		this.requestHeaders = request.headers();
		this.ray = RayIds.next(settings.nodeId());
		this.handshake = new WebSocketHandshake(settings, forwarder.executor(), this,
				request.headers().get(HttpHeaderNames.HOST), this.ray);
		this.host = this.handshake.host();
	}

	/**
	 * Takes a request that asks for a WebSocket ({@link WebSocketUpgrade#isRequested}, its
	 * headers all read) in place of {@code forwarder}: sends it to a tunnel connection of its
	 * hostname, or answers it (a handshake the edge refuses, no tunnel connection here).
	 * @param keepAlive whether nothing was read behind the handshake yet: the connection may
	 * serve on if the handshake does not open a WebSocket
	 */
	static void take(ChannelHandlerContext forwarderContext, Http1Forwarder forwarder, HttpRequest request,
			ExchangeSettings settings, boolean keepAlive) {
		RequestHeaderTimeout.headersReceived(forwarderContext.channel());
		// Nothing is read until the WebSocket is open: a visitor sends no frame before its 101.
		forwarderContext.channel().config().setAutoRead(false);
		WebSocketVisitor visitor = new WebSocketVisitor(forwarderContext, request, settings, forwarder, keepAlive);
		forwarderContext.pipeline().replace(forwarder, NAME, visitor);
		String visitorIp = ForwardedHeaders.visitorIp(forwarderContext.channel().remoteAddress());
		visitor.handshake.start(WebSocketUpgrade.refusal(request, visitor.handshake.hostname()),
				() -> WebSocketUpgrade.toExtendedConnect(ForwardedHeaders.forTunnel(request.method(), request.uri(),
						request.headers(), settings.scheme(), visitor.host, visitorIp, visitor.ray)));
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.ctx = ctx;
	}

	@Override
	public void failed(FailedRequests.Answer answer) {
		FullHttpResponse response = EdgeErrors.response(this.ctx.alloc(), answer.status(), answer.cause(), this.ray);
		if (answer.status().equals(HttpResponseStatus.UPGRADE_REQUIRED)) {
			// RFC 6455 4.4, RFC 9110 15.5.22: the version, and the protocol, to ask for instead.
			response.headers()
				.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, WebSocketUpgrade.VERSION)
				.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
		}
		boolean servesOn = servesOn();
		if (!servesOn) {
			response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
		answered(this.ctx.writeAndFlush(response), servesOn);
	}

	/** The application accepted: the visitor gets its 101, and the connection becomes a WebSocket. */
	@Override
	public void accepted(WebSocketStream stream, ResponseHead head) {
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
				Unpooled.EMPTY_BUFFER);
		HttpHeaders headers = response.headers();
		ForwardedHeaders.toVisitor(head.headers(), headers);
		headers.remove(HttpHeaderNames.CONTENT_LENGTH);
		headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
		headers.remove(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
		headers.remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
		headers.set(EdgeErrors.RAY_HEADER, this.ray);
		headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
		headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
		headers.set(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT,
				WebSocketUpgrade.accept(this.requestHeaders.get(HttpHeaderNames.SEC_WEBSOCKET_KEY)));
		String protocol = WebSocketUpgrade.subprotocol(this.requestHeaders.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL),
				head.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
		if (protocol != null) {
			headers.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, protocol);
		}
		// Encoded as it is written: the codec can give way to the frame codec right after.
		this.ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
		ChannelHandlerContext codec = this.ctx.pipeline().context(HttpServerCodec.class);
		if (codec == null || !this.ctx.channel().isActive()) {
			stream.cancel();
			this.ctx.close();
			return;
		}
		WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder()
			.allowExtensions(true)
			.maxFramePayloadLength(WebSocketStream.MAX_FRAME_PAYLOAD)
			.build();
		this.ctx.pipeline().replace(codec.name(), Http1WebSocket.DECODER_NAME, new WebSocket13FrameDecoder(config));
		this.ctx.pipeline().addBefore(Http1WebSocket.DECODER_NAME, Http1WebSocket.ENCODER_NAME,
				new WebSocket13FrameEncoder(false));
		Http1WebSocket visitor = new Http1WebSocket();
		this.ctx.pipeline().replace(this, Http1WebSocket.NAME, visitor);
		WebSocketRelay relay = new WebSocketRelay(visitor, stream, this.host, this.ray,
				() -> this.handshake.record(HttpResponseStatus.SWITCHING_PROTOCOLS.code()));
		visitor.relay(relay);
		relay.start(this.settings.webSocketPingInterval());
	}

	/** The application refused the handshake: the visitor gets its response as it is. */
	@Override
	public void refused(WebSocketStream stream, ResponseHead head) {
		logger.debug("WebSocket {} for {}: refused by the application ({})", this.ray, LogText.escape(this.host),
				head.status());
		HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(head.status()));
		HttpHeaders headers = response.headers();
		ForwardedHeaders.toVisitor(head.headers(), headers);
		headers.set(EdgeErrors.RAY_HEADER, this.ray);
		// Decided before the body: a visitor that sends more meanwhile gets the connection closed without the header.
		if (!servesOn()) {
			headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
		if (head.endOfStream() || headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
			headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
		}
		if (head.endOfStream()) {
			if (!headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
				headers.setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
			}
			this.ctx.write(response);
			endRefusal(stream);
			return;
		}
		if (!headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
			headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
		}
		this.ctx.writeAndFlush(response);
		stream.receive(new WebSocketStream.Receiver() {

			@Override
			public void next(Object message) {
				WebSocketVisitor.this.ctx.writeAndFlush(new DefaultHttpContent((ByteBuf) message))
					.addListener((written) -> {
						if (written.isSuccess()) {
							stream.request(1);
						}
					});
			}

			@Override
			public void end(@Nullable Throwable failure) {
				WebSocketVisitor.this.handshake.onLoop(() -> {
					if (failure != null) {
						// The body broke: the visitor must not take what it got for whole.
						stream.cancel();
						WebSocketVisitor.this.ctx.close();
						return;
					}
					endRefusal(stream);
				});
			}

		});
		stream.request(PREFETCH);
	}

	/**
	 * The edge never ended its side of the CONNECT stream: once the refusal is through, the
	 * stream is reset, or it would stay open on both ends.
	 */
	private void endRefusal(WebSocketStream stream) {
		stream.cancel();
		answered(this.ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), servesOn());
	}

	private boolean servesOn() {
		return this.keepAlive && !this.readBeyond;
	}

	/**
	 * The whole answer is written: the connection closes, or goes back to an
	 * {@link Http1Forwarder} and reads the next request.
	 */
	private void answered(ChannelFuture written, boolean servesOn) {
		if (this.bodySent && !this.requestEnded) {
			// The rest of the body is read and dropped, or the kernel's reset could destroy the answer.
			LingeringClose.after(written);
			return;
		}
		if (!servesOn) {
			written.addListener(ChannelFutureListener.CLOSE);
			return;
		}
		written.addListener((done) -> {
			if (!done.isSuccess() || !servesOn() || !this.ctx.channel().isActive() || this.ctx.isRemoved()) {
				this.ctx.close();
				return;
			}
			this.handBackPending = true;
			if (this.requestEnded) {
				handBack();
			}
		});
	}

	/** The connection goes back to a new {@link Http1Forwarder} (a handler is added once) for the next request. */
	private void handBack() {
		this.handBackPending = false;
		Channel channel = this.ctx.channel();
		this.ctx.pipeline().replace(this, Http1Forwarder.NAME, this.forwarder.another());
		RequestHeaderTimeout.responseComplete(channel);
		channel.config().setAutoRead(true);
		channel.read();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		// The end of the handshake request; a visitor sends nothing else before its 101.
		if (this.requestEnded) {
			this.readBeyond = true;
		}
		else if (msg instanceof LastHttpContent) {
			// A failure can be answered before: the handshake's end is read in the same read as its head.
			this.requestEnded = true;
		}
		ReferenceCountUtil.release(msg);
		if (this.requestEnded && this.handBackPending) {
			handBack();
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		// Reading waits for the application's answer.
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.handshake.visitorLeft();
		ctx.fireChannelInactive();
	}

}
