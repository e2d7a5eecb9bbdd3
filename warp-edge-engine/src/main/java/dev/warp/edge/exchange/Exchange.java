package dev.warp.edge.exchange;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

import dev.warp.edge.metrics.EdgeMetrics;
import dev.warp.edge.tunnel.OriginFailure;
import dev.warp.edge.tunnel.ResponseHead;
import dev.warp.edge.tunnel.StreamConnection;
import dev.warp.edge.tunnel.TunnelResponse;
import dev.warp.edge.tunnel.WindowBudget;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * One visitor request's life on the edge: sent down a tunnel stream of its hostname's
 * {@link Upstream} with Netty writes of its own, its response written by its {@link Visitor} in
 * the visitor's protocol. One retry on another connection of the hostname when that is safe,
 * {@code 504} after the response timeout, {@code 502} when the tunnel fails before the response
 * ({@link FailedRequests}), an aborted response when it fails after; a small body that came with
 * its head leaves in one write, a larger one streams with the visitor setting the pace
 * ({@link ResponsePacing}). The request's body, if any, streams as it comes
 * ({@link RequestBodyRelay}).
 *
 * <p>Confined to the visitor's event loop: signals of a tunnel stream on another loop hop onto it.
 */
public final class Exchange {

	/** The visitor connection's event loop, where all of this runs. */
	private final EventLoop loop;

	private final Visitor visitor;

	private final ResponseTimeout timeout;

	private final ExchangeSettings settings;

	private final HttpMethod method;

	/** The visitor's {@code Host} (or {@code :authority}), as sent. */
	private final String host;

	private final String hostname;

	private final String ray;

	private final Http2Headers requestHeaders;

	private final long startNanos = System.nanoTime();

	/** The attempt under way; set by {@link #start}, {@code null} before. */
	private @Nullable TunnelResponse attempt;

	private @Nullable StreamConnection target;

	private final Retries retries;

	/** What the windows of this exchange's tunnel streams grow within: its visitor connection's share. */
	private final @Nullable WindowBudget windows;

	/** The request's body on its way to the tunnel; {@code null} for a request without one. */
	private final @Nullable RequestBodyRelay body;

	/** The streamed response's body on its way to the visitor; {@code null} before, or when it came whole. */
	private @Nullable ResponsePacing pacing;

	private boolean headSent;

	private int status;

	/** Whether the response was written whole or aborted, or the visitor left. */
	private boolean ended;

	/** Whether the request's end came from the visitor: its headers, or the last part of its body. */
	private boolean requestEnded;

	/**
	 * @param visitor writes the response in the visitor's protocol
	 * @param channel the visitor's channel: its connection's event loop runs the exchange
	 * @param requestHeaders the request as it goes down the tunnel ({@link ForwardedHeaders})
	 * @param hostname the hostname its {@code Host} routes to
	 * @param hasBody whether a body follows the request's headers ({@link #requestContent})
	 */
	public Exchange(Visitor visitor, Channel channel, ExchangeSettings settings, HttpMethod method, String host,
			String hostname, String ray, Http2Headers requestHeaders, boolean hasBody) {
		this.visitor = visitor;
		this.loop = channel.eventLoop();
		this.timeout = new ResponseTimeout(visitor, this.loop, settings);
		this.settings = settings;
		this.windows = settings.windowsOf(channel);
		this.method = method;
		this.host = host;
		this.hostname = hostname;
		this.retries = new Retries(settings.upstream(), hostname);
		this.ray = ray;
		this.requestHeaders = requestHeaders;
		this.body = hasBody ? new RequestBodyRelay(visitor) : null;
		this.requestEnded = !hasBody;
	}

	/**
	 * Sends the request on the connection its forwarder chose ({@link Upstream#select}).
	 * @param wakeUp whether the connection's loop is woken for the stream now; without, the caller
	 * wakes it ({@link StreamConnection#wakeUp()}) once it started all the requests of one read
	 */
	public void start(StreamConnection connection, boolean wakeUp) {
		this.timeout.start();
		send(connection, wakeUp);
	}

	/** One attempt: a stream on the connection, the request's headers on it, the response head back. */
	private void send(StreamConnection connection, boolean wakeUp) {
		TunnelResponse attempt = new TunnelResponse(this.loop, true).windowWithin(this.windows);
		this.attempt = attempt;
		this.target = connection;
		boolean hasBody = this.body != null;
		this.settings.upstream().open(connection, attempt, wakeUp).addListener((Future<Http2StreamChannel> opened) -> {
			if (!opened.isSuccess()) {
				// Nothing was sent: the request can go to another connection, whatever its method.
				Throwable cause = opened.cause();
				onLoop(() -> failed(attempt, (cause instanceof NoTunnelException) ? cause : OriginFailure.unprocessed(
						"cannot open a stream on the tunnel connection (" + cause.getMessage() + ")", cause)));
				return;
			}
			Http2StreamChannel stream = opened.getNow();
			stream.writeAndFlush(new DefaultHttp2HeadersFrame(this.requestHeaders, !hasBody)).addListener((written) -> {
				if (!written.isSuccess()) {
					onLoop(() -> failed(attempt, OriginFailure.connectionLost(
							"cannot send the request on the tunnel connection (" + written.cause().getMessage() + ")")));
				}
			});
			if (hasBody) {
				// Written after the headers whichever loop the body's writes come from: they queue
				// behind them on the stream's loop.
				onLoop(() -> {
					if (attempt == this.attempt && !this.ended) {
						this.body.streamReady(stream);
					}
				});
			}
		});
		attempt.head().subscribe((head) -> headArrived(attempt, head), (error) -> onLoop(() -> failed(attempt, error)));
	}

	/** The head of an attempt, on the tunnel stream's loop: it hops to the visitor's with its body, if whole. */
	private void headArrived(TunnelResponse from, ResponseHead head) {
		if (this.loop.inEventLoop()) {
			respond(from, head);
			return;
		}
		try {
			this.loop.execute(() -> respond(from, head));
		}
		catch (RejectedExecutionException ex) {
			// The visitor's loop stopped with the edge: nobody will write this response.
			ReferenceCountUtil.release(head.wholeBody());
			from.cancel();
		}
	}

	/**
	 * A part of the request's body, the last one with the end of the body. Owned from here: sent
	 * on the stream, held until it is ready, or released.
	 */
	public void requestContent(ByteBuf chunk, boolean last) {
		this.requestEnded |= last;
		int bytes = chunk.readableBytes();
		this.visitor.bodyReceived(bytes);
		RequestBodyRelay body = this.body;
		if (this.ended || body == null) {
			this.visitor.bodyDropped(bytes);
			chunk.release();
			return;
		}
		if (body.count(bytes) > this.settings.maxRequestBody()) {
			this.visitor.bodyDropped(bytes);
			chunk.release();
			bodyTooLarge();
			return;
		}
		if (this.attempt != null) {
			this.attempt.touch();
		}
		if (!this.headSent) {
			// The response's time counts from the request's last byte: a long upload is not cut off.
			this.timeout.start();
		}
		body.relay(chunk, last);
	}

	/** The body is, or was declared, larger than the node forwards: {@code 413}, by {@link #refuse}. */
	public void bodyTooLarge() {
		refuse(FailedRequests.tooLarge("Request", this.ray, this.host, this.settings.maxRequestBody()));
	}

	/**
	 * Answers with one of the edge's own errors, not the app's: the tunnel stream, if any, is reset
	 * (the app sees its read of the body cut), the body's rest is not read ({@link Visitor#bodyRefused}).
	 */
	public void refuse(FailedRequests.Answer answer) {
		if (this.headSent) {
			responseBroke(new IllegalStateException(answer.cause()));
			return;
		}
		releaseBody();
		this.timeout.stop();
		if (this.attempt != null) {
			this.attempt.cancel();
		}
		if (!this.requestEnded) {
			this.visitor.bodyRefused();
		}
		error(answer);
	}

	private void releaseBody() {
		if (this.body != null) {
			this.body.release();
		}
	}

	/** Whether the response was written whole or aborted, or the visitor left: nothing more to do. */
	public boolean isEnded() {
		return this.ended;
	}

	/** Whether the whole request, its body included, came from the visitor. */
	public boolean requestEnded() {
		return this.requestEnded;
	}

	void onLoop(Runnable task) {
		if (this.loop.inEventLoop()) {
			task.run();
		}
		else {
			this.loop.execute(task);
		}
	}

	/** No response head within the response timeout: the attempt under way fails, and {@link #failed} answers 504. */
	public void responseTimedOut() {
		this.timeout.expired(this.attempt, this.target);
	}

	private void respond(TunnelResponse from, ResponseHead head) {
		ByteBuf whole = head.wholeBody();
		if (from != this.attempt || this.ended) {
			ReferenceCountUtil.release(whole);
			from.cancel();
			return;
		}
		this.timeout.stop();
		boolean noBody = HttpMethod.HEAD.equals(this.method) || head.status() == 204 || head.status() == 304;
		boolean whollyHere = head.endOfStream() || whole != null;
		ByteBuf content = (whole != null && !noBody) ? whole : null;
		if (whole != null && content == null) {
			whole.release();
		}
		// Set before the last write: an HTTP/2 stream closes as it is written.
		this.ended = whollyHere;
		try {
			this.visitor.writeHead(head, noBody, whollyHere, content);
		}
		catch (IllegalArgumentException ex) {
			// A value the visitor's protocol cannot carry (a line break): nothing of the response can go out.
			if (content != null) {
				content.release();
			}
			from.cancel();
			error(FailedRequests.failed("Request", this.ray, this.host, "the agent sent an invalid response header", ex));
			return;
		}
		this.status = head.status();
		this.headSent = true;
		if (whollyHere) {
			ended();
			return;
		}
		Duration idle = this.settings.idleTimeout();
		if (idle != null) {
			from.watchIdle(idle);
		}
		ResponsePacing pacing = new ResponsePacing(this, this.visitor, noBody);
		this.pacing = pacing;
		from.subscribe(pacing);
	}

	/** The visitor drained: the response's body buffers it was too busy for are asked for. */
	public void writable() {
		ResponsePacing pacing = this.pacing;
		if (pacing != null) {
			pacing.writable();
		}
	}

	/** The response's body failed after its head went out, on the visitor's loop. */
	void responseBroke(Throwable cause) {
		if (this.ended) {
			return;
		}
		// The head went out: the only honest signal left is a truncated response.
		FailedRequests.aborted("Request", this.ray, this.host, cause.getMessage());
		this.ended = true;
		releaseBody();
		this.visitor.abort();
		record(false);
	}

	/** The response's body ended, on the visitor's loop. */
	void responseCompleted() {
		if (this.ended) {
			return;
		}
		this.ended = true;
		this.visitor.writeEnd(this.attempt.trailers());
		ended();
	}

	/** The response went out whole. */
	private void ended() {
		this.ended = true;
		releaseBody();
		record(false);
		this.visitor.exchangeEnded();
	}

	private void failed(TunnelResponse from, Throwable cause) {
		if (from != this.attempt || this.ended) {
			return;
		}
		if (this.headSent) {
			responseBroke(cause);
			return;
		}
		boolean bodySent = this.body != null && this.body.sent();
		boolean retryable = cause instanceof OriginFailure failure && failure.allowsRetry(this.method, bodySent);
		StreamConnection failedOn = this.target;
		StreamConnection other = retryable ? this.retries.next(failedOn, this.body != null) : null;
		if (other != null) {
			FailedRequests.retried("Request", this.ray, this.host, cause.getMessage(),
					other.id() + " (failed on " + ((failedOn != null) ? failedOn.id() : "?") + ")");
			send(other, true);
			return;
		}
		this.timeout.stop();
		from.cancel();
		error(FailedRequests.answer("Request", this.ray, this.host, cause,
				"no response within " + EdgeErrors.describe(this.settings.responseTimeout())));
	}

	private void error(FailedRequests.Answer answer) {
		this.status = answer.status().code();
		this.headSent = true;
		this.ended = true;
		this.visitor.writeError(answer.status(), answer.cause());
		ended();
	}

	/** The visitor left (its connection closed, or it reset the stream): the tunnel stream is reset unless it completed. */
	public void visitorLeft() {
		if (this.ended) {
			return;
		}
		this.ended = true;
		releaseBody();
		this.timeout.stop();
		if (this.attempt != null) {
			this.attempt.cancel();
		}
		record(!this.headSent);
	}

	private void record(boolean cancelledBeforeResponse) {
		EdgeMetrics metrics = this.settings.metrics();
		long nanos = System.nanoTime() - this.startNanos;
		if (metrics != null && this.target != null) {
			metrics.recordRoutedRequest(this.hostname, this.status, cancelledBeforeResponse, nanos);
		}
		else if (metrics != null) {
			// Never routed (refused at its head): an unknown hostname is not a tag of its own.
			metrics.recordRequest(this.host, this.status, cancelledBeforeResponse, nanos);
		}
	}

}
