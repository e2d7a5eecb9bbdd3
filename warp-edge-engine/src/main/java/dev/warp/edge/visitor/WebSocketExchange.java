package dev.warp.edge.visitor;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.FailedRequests;
import dev.warp.edge.exchange.ForwardedHeaders;
import dev.warp.edge.log.LogText;
import dev.warp.edge.tunnel.OriginFailure;
import dev.warp.edge.tunnel.ResponseHead;
import dev.warp.edge.tunnel.TunnelConnection;
import dev.warp.edge.tunnel.WebSocketStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * One visitor's WebSocket relayed down one tunnel stream. The handshake goes to the application
 * first, as an RFC 8441 extended CONNECT; only once it accepted does the visitor get its
 * {@code 101} (or, on HTTP/2, its {@code 200}) with the subprotocol the application chose. A
 * refusal reaches the visitor as the ordinary response it is. Then frames flow both ways, one by
 * one and under backpressure: text, binary, continuation, ping and pong as they are, close
 * codes and reasons in both directions. The edge answers nothing itself, except when the tunnel
 * fails under an open WebSocket: the visitor then gets {@code 1011} with the cause, or
 * {@code 1001} when the tunnel connection is gone.
 */
public final class WebSocketExchange {

	private static final Logger logger = LoggerFactory.getLogger(WebSocketExchange.class);

	/**
	 * How long the application has to answer a close the edge relayed before the stream is
	 * reset: the close handshake must not keep a stream open for ever.
	 */
	private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

	/** Close reasons are at most 123 bytes (RFC 6455 5.5.1); the edge's own are kept shorter. */
	private static final int MAX_REASON = 100;

	private final HttpServerRequest request;

	private final HttpServerResponse response;

	private final TunnelConnection connection;

	private final UnaryOperator<@Nullable TunnelConnection> alternative;

	private final String host;

	private final String ray;

	private final Duration responseTimeout;

	private volatile WebSocketStream tunnel = new WebSocketStream();

	private @Nullable Duration pingInterval;

	private volatile @Nullable Http2StreamChannel stream;

	private volatile boolean closeSentToAgent;

	private volatile boolean visitorEnded;

	/**
	 * @param connection the connection to open the WebSocket on
	 * @param alternative given the connection that refused the handshake unseen, another one of
	 * the same hostname, or {@code null} when there is none
	 */
	WebSocketExchange(HttpServerRequest request, HttpServerResponse response, TunnelConnection connection,
			UnaryOperator<@Nullable TunnelConnection> alternative, String host, String ray, Duration responseTimeout) {
		this.request = request;
		this.response = response;
		this.connection = connection;
		this.alternative = alternative;
		this.host = host;
		this.ray = ray;
		this.responseTimeout = responseTimeout;
	}

	/** Pings the visitor at this interval while the WebSocket is open; {@code null}: never. */
	WebSocketExchange keepAlive(@Nullable Duration pingInterval) {
		this.pingInterval = pingInterval;
		return this;
	}

	Mono<Void> forward() {
		Http2Headers headers = WebSocketUpgrade.toExtendedConnect(ForwardedHeaders.forTunnel(this.request, this.host,
				ForwardedHeaders.visitorIp(this.request), this.ray));
		return handshake(this.connection, headers)
			.onErrorResume(OriginFailure.class, (failure) -> retry(failure, headers))
			.timeout(this.responseTimeout)
			.flatMap((head) -> onVisitorLoop(() -> (head.status() / 100 == 2) ? upgrade(head) : refuse(head)))
			.onErrorResume(this::fail)
			.doOnCancel(() -> this.tunnel.cancel());
	}

	/** One attempt: a stream on the connection, the handshake on it, the application's answer back. */
	private Mono<ResponseHead> handshake(TunnelConnection target, Http2Headers headers) {
		if (!target.acceptsWebSockets()) {
			// Unseen by the application: another connection (of a newer agent, say) may take it.
			return Mono.error(OriginFailure.unprocessed("the application's Warp agent does not accept WebSockets "
					+ "(no RFC 8441 extended CONNECT); upgrade it", null));
		}
		WebSocketStream attempt = new WebSocketStream();
		this.tunnel = attempt;
		return openStream(target, attempt).flatMap((opened) -> sendHeaders(opened, headers)).then(attempt.head());
	}

	/**
	 * A handshake the application never saw (the stream was refused, or the connection started
	 * draining) goes once to another connection of the hostname.
	 */
	private Mono<ResponseHead> retry(OriginFailure failure, Http2Headers headers) {
		if (!failure.allowsRetry(HttpMethod.CONNECT, false)) {
			return Mono.error(failure);
		}
		TunnelConnection other = this.alternative.apply(this.connection);
		if (other == null || other == this.connection) {
			return Mono.error(failure);
		}
		FailedRequests.retried("WebSocket", this.ray, this.host, failure.getMessage(),
				"tunnel connection " + other.id() + " (failed on " + this.connection.id() + ")");
		return handshake(other, headers);
	}

	private Mono<Http2StreamChannel> openStream(TunnelConnection target, WebSocketStream attempt) {
		return Mono.create((sink) -> target.openStream(attempt)
			.addListener((Future<Http2StreamChannel> opened) -> {
				if (opened.isSuccess()) {
					Http2StreamChannel channel = opened.getNow();
					this.stream = channel;
					sink.success(channel);
				}
				else {
					sink.error(OriginFailure.unprocessed("cannot open a stream on the tunnel connection ("
							+ opened.cause().getMessage() + ")", opened.cause()));
				}
			}));
	}

	private Mono<Void> sendHeaders(Http2StreamChannel stream, Http2Headers headers) {
		return Mono.create((sink) -> stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false))
			.addListener((written) -> {
				if (written.isSuccess()) {
					sink.success();
				}
				else {
					sink.error(OriginFailure.connectionLost("cannot send the handshake on the tunnel connection ("
							+ written.cause().getMessage() + ")"));
				}
			}));
	}

	/** The application accepted: the visitor's upgrade completes with the subprotocol it chose. */
	private Mono<Void> upgrade(ResponseHead head) {
		CharSequence protocol = head.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
		WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder()
			// Pings and pongs go to the application, which answers them; the edge only relays.
			.handlePing(true)
			.maxFramePayloadLength(WebSocketStream.MAX_FRAME_PAYLOAD);
		if (protocol != null) {
			spec.protocols(protocol.toString());
		}
		HttpHeaders headers = this.response.responseHeaders();
		ForwardedHeaders.toVisitor(head.headers(), headers);
		headers.remove(HttpHeaderNames.CONTENT_LENGTH);
		headers.remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
		headers.remove(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
		headers.set(EdgeErrors.RAY_HEADER, this.ray);
		// Whatever ends the visitor's side, the stream does not outlive it by more than the close timeout.
		visitorChannel().closeFuture().addListener((closed) -> resetLater());
		return this.response.sendWebsocket(this::relay, spec.build())
			.doOnError((error) -> this.tunnel.cancel());
	}

	private void resetLater() {
		Http2StreamChannel stream = this.stream;
		if (stream != null && stream.isActive()) {
			stream.eventLoop().schedule(() -> {
				if (stream.isActive()) {
					stream.close();
				}
			}, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private Mono<Void> relay(WebsocketInbound in, WebsocketOutbound out) {
		Http2StreamChannel stream = this.stream;
		if (stream == null) {
			return Mono.empty();
		}
		in.receiveFrames().subscribe(new WebSocketFrameWriter(stream, () -> visitorEnded(in, stream)));
		Duration interval = this.pingInterval;
		if (interval != null) {
			WebSocketKeepAlive.start(visitorChannel(), visitorChannel(), interval);
		}
		return out.sendObject(this.tunnel.body(WebSocketFrame.class), (frame) -> true)
			.then()
			.materialize()
			.flatMap((signal) -> closeVisitor(out, signal.getThrowable()));
	}

	/**
	 * The agent's frames ended: the visitor gets the agent's close, or, when the tunnel failed,
	 * one that says so. Nothing happens when the visitor closed first: its close went out already.
	 */
	private Mono<Void> closeVisitor(WebsocketOutbound out, @Nullable Throwable failure) {
		if (this.visitorEnded || !visitorChannel().isActive()) {
			return Mono.empty();
		}
		WebSocketCloseStatus agentClose = this.tunnel.agentClose();
		if (agentClose != null) {
			return (agentClose.code() == WebSocketCloseStatus.EMPTY.code()) ? out.sendClose()
					: out.sendClose(agentClose.code(), agentClose.reasonText());
		}
		if (this.tunnel.connectionClosed()) {
			logger.debug("WebSocket {} for {}: tunnel connection closed; closing it with 1001", this.ray,
					LogText.escape(this.host));
			return out.sendClose(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "Origin went away: tunnel connection closed");
		}
		String cause = (failure != null) ? String.valueOf(failure.getMessage()) : "the application ended the stream without a close frame";
		FailedRequests.aborted("WebSocket", this.ray, this.host, cause + "; closing it with 1011");
		return out.sendClose(WebSocketCloseStatus.INTERNAL_SERVER_ERROR.code(), truncate("Origin failed: " + cause));
	}

	/**
	 * The visitor's frames ended. After a close (the visitor's, or the agent's echoed) the
	 * application gets the matching close and the end of the stream; after an abrupt disconnect,
	 * the stream is reset, which ends the application's session at once.
	 */
	private void visitorEnded(WebsocketInbound in, Http2StreamChannel stream) {
		this.visitorEnded = true;
		in.receiveCloseStatus()
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.subscribe((status) -> stream.eventLoop().execute(() -> {
				if (!stream.isActive() || this.closeSentToAgent) {
					return;
				}
				WebSocketCloseStatus agentClose = this.tunnel.agentClose();
				WebSocketCloseStatus close = (agentClose != null) ? agentClose : status.orElse(null);
				if (close == null || close.code() == WebSocketCloseStatus.ABNORMAL_CLOSURE.code()) {
					logger.debug("WebSocket {} for {}: the visitor went away without a close; resetting the stream",
							this.ray, LogText.escape(this.host));
					stream.close();
					return;
				}
				this.closeSentToAgent = true;
				stream.write((close.code() == WebSocketCloseStatus.EMPTY.code())
						? new CloseWebSocketFrame(true, 0, Unpooled.EMPTY_BUFFER)
						: new CloseWebSocketFrame(close.code(), close.reasonText()));
				stream.writeAndFlush(new DefaultHttp2DataFrame(true));
				resetLater();
			}));
	}

	/** The application refused the handshake: the visitor gets its response as it is. */
	private Mono<Void> refuse(ResponseHead head) {
		this.response.status(HttpResponseStatus.valueOf(head.status()));
		HttpHeaders headers = this.response.responseHeaders();
		ForwardedHeaders.toVisitor(head.headers(), headers);
		if (head.endOfStream() || headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
			headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
		}
		headers.set(EdgeErrors.RAY_HEADER, this.ray);
		logger.debug("WebSocket {} for {}: refused by the application ({})", this.ray, LogText.escape(this.host),
				head.status());
		// The edge never ended its side of the CONNECT stream: once the refusal is through, the
		// stream is reset, or it would stay open on both ends.
		if (head.endOfStream()) {
			return this.response.send().doFinally((signal) -> this.tunnel.cancel());
		}
		return this.response.send(this.tunnel.body(ByteBuf.class), (chunk) -> false)
			.then()
			.doFinally((signal) -> this.tunnel.cancel());
	}

	private Mono<Void> fail(Throwable cause) {
		this.tunnel.cancel();
		if (this.response.hasSentHeaders()) {
			return Mono.error(cause);
		}
		FailedRequests.Answer answer = FailedRequests.answer("WebSocket", this.ray, this.host, cause,
				"no answer to the WebSocket handshake within " + this.responseTimeout.toMillis() + " ms");
		return EdgeErrors.send(this.response, answer.status(), answer.cause(), this.ray);
	}

	private Channel visitorChannel() {
		Channel[] visitor = new Channel[1];
		this.response.withConnection((connection) -> visitor[0] = connection.channel());
		return visitor[0];
	}

	private Mono<Void> onVisitorLoop(Supplier<Mono<Void>> work) {
		EventLoop loop = visitorChannel().eventLoop();
		if (loop.inEventLoop()) {
			return work.get();
		}
		return Mono.defer(work).subscribeOn(Schedulers.fromExecutor(loop));
	}

	private static String truncate(String reason) {
		return (reason.length() <= MAX_REASON) ? reason : reason.substring(0, MAX_REASON);
	}

}
