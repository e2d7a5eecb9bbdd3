package dev.warp.edge.visitor;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.FailedRequests;
import dev.warp.edge.exchange.ForwardedHeaders;
import dev.warp.edge.exchange.RequestBodies;
import dev.warp.edge.log.LogText;
import dev.warp.edge.tunnel.OriginFailure;
import dev.warp.edge.tunnel.ResponseHead;
import dev.warp.edge.tunnel.TunnelConnection;
import dev.warp.edge.tunnel.TunnelResponse;
import dev.warp.edge.tunnel.WindowBudget;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * One visitor request sent down one tunnel stream, and its response sent back. Both bodies
 * stream: neither is ever held whole.
 */
public final class TunnelExchange {

	private static final Logger logger = LoggerFactory.getLogger(TunnelExchange.class);

	private final HttpServerRequest request;

	private final HttpServerResponse response;

	private final TunnelConnection connection;

	private final UnaryOperator<@Nullable TunnelConnection> alternative;

	private volatile @Nullable Supplier<Mono<Void>> elsewhere;

	private final String host;

	private final String ray;

	private final Duration responseTimeout;

	private volatile TunnelResponse tunnelResponse;

	private volatile TunnelConnection target;

	private volatile @Nullable RequestBodyWriter bodyWriter;

	private volatile boolean retried;

	private volatile boolean sentElsewhere;

	/** When an HTTP/2 visitor's stream stops taking the response: what waits for its window stays small. */
	private static final WriteBufferWaterMark VISITOR_STREAM_WATER_MARK = new WriteBufferWaterMark(8 * 1024, 32 * 1024);

	/** The visitor's event loop: where the response is built and the response timer runs. */
	private final EventLoop visitorLoop;

	/** The visitor's channel (its HTTP/2 stream's, or its connection's): its writability paces the response. */
	private final Channel visitor;

	/** What the windows of the response's tunnel streams grow within; {@code null} for no budget. */
	private @Nullable WindowBudget windows;

	private volatile @Nullable ScheduledFuture<?> responseTimer;

	private long maxRequestBody = Long.MAX_VALUE;

	private @Nullable Duration idleTimeout;

	/**
	 * @param connection the connection to send the request on
	 * @param alternative given the connection that failed, another one of the same hostname for
	 * a single retry, or {@code null} when there is none
	 */
	public TunnelExchange(HttpServerRequest request, HttpServerResponse response, TunnelConnection connection,
			UnaryOperator<@Nullable TunnelConnection> alternative, String host, String ray, Duration responseTimeout) {
		this.request = request;
		this.response = response;
		this.connection = connection;
		this.target = connection;
		this.alternative = alternative;
		this.host = host;
		this.ray = ray;
		this.responseTimeout = responseTimeout;
		Channel[] visitor = new Channel[1];
		response.withConnection((visitorConnection) -> visitor[0] = visitorConnection.channel());
		this.visitor = visitor[0];
		this.visitorLoop = visitor[0].eventLoop();
		this.tunnelResponse = new TunnelResponse(this.visitorLoop);
	}

	public Mono<Void> forward() {
		return forward(ForwardedHeaders.forTunnel(this.request, this.host, ForwardedHeaders.visitorIp(this.request),
				this.ray));
	}

	/** Forwards with tunnel request headers computed already: by the cluster node that took the request. */
	public Mono<Void> forward(Http2Headers headers) {
		boolean hasBody = RequestBodies.hasBody(this.request.requestHeaders());
		// A plain timer on the visitor's event loop, not Mono.timeout: that one costs a task on a
		// shared scheduler and a scan of the operator chain for its description, per request.
		this.responseTimer = this.visitorLoop.schedule(this::responseTimedOut, this.responseTimeout.toNanos(),
				TimeUnit.NANOSECONDS);
		return send(this.connection, headers, hasBody)
			.onErrorResume(OriginFailure.class, (failure) -> retry(failure, headers, hasBody))
			// The head arrives on the tunnel's event loop: the visitor's response is built on the
			// visitor's own event loop, without a hop when it is the same.
			.flatMap((head) -> {
				stopResponseTimer();
				return onVisitorLoop(() -> respond(head));
			})
			.onErrorResume(this::fail)
			.doOnCancel(this::abandon);
	}

	/**
	 * No response head within the response timeout of the request's last byte: the attempt under
	 * way fails, and {@link #fail} answers 504. While a body still streams to the app, the time
	 * starts again with each of its chunks, so a long upload is not cut off.
	 */
	private void responseTimedOut() {
		long left = this.responseTimeout.toNanos() - (System.nanoTime() - this.tunnelResponse.lastActivityNanos());
		if (left > 0) {
			this.responseTimer = this.visitorLoop.schedule(this::responseTimedOut, left, TimeUnit.NANOSECONDS);
			return;
		}
		this.tunnelResponse.timeOut(new TimeoutException("no response within " + EdgeErrors.describe(this.responseTimeout)));
	}

	private void stopResponseTimer() {
		ScheduledFuture<?> timer = this.responseTimer;
		if (timer != null) {
			this.responseTimer = null;
			timer.cancel(false);
		}
	}

	/**
	 * Where a request that failed safely goes when this node has no other connection for its
	 * hostname: another node of the cluster.
	 */
	public TunnelExchange orElsewhere(@Nullable Supplier<Mono<Void>> elsewhere) {
		this.elsewhere = elsewhere;
		return this;
	}

	/**
	 * The limits of this exchange: the largest request body it forwards, and how long its
	 * stream may be idle once the response started ({@code null}: no idle timeout).
	 */
	public TunnelExchange limits(long maxRequestBody, @Nullable Duration idleTimeout) {
		this.maxRequestBody = maxRequestBody;
		this.idleTimeout = idleTimeout;
		return this;
	}

	/**
	 * Lets the windows of the response's tunnel streams grow within the visitor connection's
	 * share of {@code total}.
	 * @return this exchange
	 */
	public TunnelExchange windowsWithin(WindowBudget total) {
		this.windows = total.forConnection(this.visitor);
		return this;
	}

	/** One attempt: a stream on the connection, the request on it, the response head back. */
	private Mono<ResponseHead> send(TunnelConnection connection, Http2Headers headers, boolean hasBody) {
		TunnelResponse attempt = new TunnelResponse(this.visitorLoop).windowWithin(this.windows).pacedBy(this.visitor);
		if (this.visitor instanceof Http2StreamChannel stream) {
			// Unwritable once a little waits for the visitor's window, not a full 64 KiB per stream.
			stream.config().setWriteBufferWaterMark(VISITOR_STREAM_WATER_MARK);
		}
		VisitorWritability.resumes(this.visitor, attempt);
		this.tunnelResponse = attempt;
		this.target = connection;
		return openStream(connection, attempt).flatMap((stream) -> sendHeaders(stream, headers, !hasBody))
			.doOnNext((stream) -> {
				if (hasBody) {
					streamRequestBody(stream);
				}
			})
			.then(attempt.head());
	}

	/**
	 * Sends the request once more on another connection of the hostname when the first one
	 * failed before any response, and sending it again is safe: it never reached the app, or the
	 * connection died under an idempotent request whose body (if any) was not consumed.
	 */
	private Mono<ResponseHead> retry(OriginFailure failure, Http2Headers headers, boolean hasBody) {
		if (this.retried || !failure.allowsRetry(this.request.method(), this.bodyWriter != null)) {
			return Mono.error(failure);
		}
		TunnelConnection failed = this.target;
		TunnelConnection other = this.alternative.apply(failed);
		if (other == null || other == failed) {
			return Mono.error(failure);
		}
		this.retried = true;
		FailedRequests.retried("Request", this.ray, this.host, failure.getMessage(),
				"tunnel connection " + other.id() + " (failed on " + failed.id() + ")");
		return send(other, headers, hasBody);
	}

	private Mono<Void> onVisitorLoop(Supplier<Mono<Void>> work) {
		if (this.visitorLoop.inEventLoop()) {
			return work.get();
		}
		return Mono.defer(work).subscribeOn(Schedulers.fromExecutor(this.visitorLoop));
	}

	/**
	 * Opens the attempt's stream once the visitor's connection has read what it received with the
	 * request (a task after the read on its event loop): a request the visitor reset in the same
	 * read (HTTP/2 rapid reset sends HEADERS and RST_STREAM together) has its stream closed by then
	 * and is never opened on the tunnel, so its application never sees it. (Its exchange is
	 * cancelled a moment later, when the stream's closing reaches Reactor Netty.)
	 */
	private Mono<Http2StreamChannel> openStream(TunnelConnection connection, TunnelResponse attempt) {
		return Mono.create((sink) -> this.visitorLoop.execute(() -> {
			if (attempt.isCancelled() || !this.visitor.isActive()) {
				return;
			}
			connection.openStream(attempt).addListener((Future<Http2StreamChannel> opened) -> {
				if (opened.isSuccess()) {
					sink.success(opened.getNow());
				}
				else {
					// Nothing was sent: the request can go to another connection, whatever its method.
					sink.error(OriginFailure.unprocessed("cannot open a stream on the tunnel connection ("
							+ opened.cause().getMessage() + ")", opened.cause()));
				}
			});
		}));
	}

	private Mono<Http2StreamChannel> sendHeaders(Http2StreamChannel stream, Http2Headers headers, boolean endOfStream) {
		return Mono.create((sink) -> stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, endOfStream))
			.addListener((written) -> {
				if (written.isSuccess()) {
					sink.success(stream);
				}
				else {
					sink.error(OriginFailure.connectionLost("cannot send the request on the tunnel connection ("
							+ written.cause().getMessage() + ")"));
				}
			}));
	}

	private void streamRequestBody(Http2StreamChannel stream) {
		RequestBodyWriter writer = new RequestBodyWriter(stream, this.tunnelResponse, this.maxRequestBody);
		this.bodyWriter = writer;
		// Once the stream is gone (reset, or done), the rest of the visitor's body goes nowhere.
		stream.closeFuture().addListener((closed) -> writer.dispose());
		this.request.receive().subscribe(writer);
	}

	private Mono<Void> respond(ResponseHead head) {
		HttpServerResponse out = this.response;
		out.status(HttpResponseStatus.valueOf(head.status()));
		HttpHeaders headers = out.responseHeaders();
		ForwardedHeaders.toVisitor(head.headers(), headers);
		boolean noBody = HttpMethod.HEAD.equals(this.request.method()) || head.status() == 204 || head.status() == 304;
		if (noBody || headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
			// Reactor Netty starts every response chunked; a known length or no body needs no chunks.
			headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
		}
		headers.set(EdgeErrors.RAY_HEADER, this.ray);
		if (head.endOfStream()) {
			return out.send();
		}
		ByteBuf whole = head.wholeBody();
		if (whole != null && headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
			// Head and body in one write.
			return out.sendObject(whole).then();
		}
		if (whole != null) {
			// A body the app streamed without a length stays streamed (a Mono would be given a length).
			return out.send(Flux.just(whole), (chunk) -> false).then();
		}
		out.trailerHeaders(this::copyTrailers);
		Duration idle = this.idleTimeout;
		if (idle != null) {
			this.tunnelResponse.watchIdle(idle);
		}
		Flux<ByteBuf> body = Flux.from(this.tunnelResponse).onErrorResume(this::abortVisitor);
		// Not flushing every chunk is fine: Reactor Netty flushes whenever it runs out of chunks to
		// write, so a chunk that arrives alone (a Server-Sent Event) goes out at once.
		return out.send(body, (chunk) -> false).then();
	}

	private void copyTrailers(HttpHeaders trailers) {
		Http2Headers received = this.tunnelResponse.trailers();
		if (received != null) {
			for (Map.Entry<CharSequence, CharSequence> trailer : received) {
				if (trailer.getKey().length() > 0 && trailer.getKey().charAt(0) != ':') {
					trailers.add(trailer.getKey(), trailer.getValue());
				}
			}
		}
	}

	/**
	 * The response broke after its headers went out: the only honest signal left is to abort the
	 * visitor's connection (or h2 stream), so the visitor sees a truncated response, not a short
	 * one.
	 */
	private Mono<ByteBuf> abortVisitor(Throwable cause) {
		FailedRequests.aborted("Request", this.ray, this.host, cause.getMessage());
		Channel[] visitor = new Channel[1];
		this.response.withConnection((visitorConnection) -> visitor[0] = visitorConnection.channel());
		return Mono.<Void>create((sink) -> visitor[0].close().addListener((closed) -> sink.success()))
			.then(Mono.error(cause));
	}

	private Mono<Void> fail(Throwable cause) {
		abandon();
		if (this.response.hasSentHeaders()) {
			return Mono.error(cause);
		}
		if (cause instanceof RequestBodyTooLargeException tooLarge) {
			logger.debug("Request {} for {}: {} (413)", this.ray, LogText.escape(this.host), LogText.escape(cause.getMessage()));
			return EdgeErrors.send(this.response, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
					"Request body too large: the limit is " + tooLarge.limit() + " bytes", this.ray);
		}
		Supplier<Mono<Void>> otherNode = this.elsewhere;
		// Once more on another node, even after a retry here: an outage that kills one tunnel
		// connection of this node often kills the others a moment later.
		if (otherNode != null && !this.sentElsewhere && cause instanceof OriginFailure failure
				&& failure.allowsRetry(this.request.method(), this.bodyWriter != null)) {
			this.sentElsewhere = true;
			FailedRequests.retried("Request", this.ray, this.host, cause.getMessage(),
					"another edge node (no other tunnel connection here)");
			return otherNode.get();
		}
		FailedRequests.Answer answer = FailedRequests.answer("Request", this.ray, this.host, cause,
				"no response within " + EdgeErrors.describe(this.responseTimeout));
		return EdgeErrors.send(this.response, answer.status(), answer.cause(), this.ray);
	}

	/** Resets the tunnel stream (unless it completed) and stops reading the visitor's body. */
	private void abandon() {
		stopResponseTimer();
		this.tunnelResponse.cancel();
		RequestBodyWriter writer = this.bodyWriter;
		if (writer != null) {
			writer.dispose();
		}
	}

}
