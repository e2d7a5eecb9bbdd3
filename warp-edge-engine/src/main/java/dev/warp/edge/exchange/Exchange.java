package dev.warp.edge.exchange;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

import dev.warp.edge.metrics.EdgeMetrics;
import dev.warp.edge.tunnel.OriginFailure;
import dev.warp.edge.tunnel.ResponseHead;
import dev.warp.edge.tunnel.TunnelConnection;
import dev.warp.edge.tunnel.TunnelResponse;
import dev.warp.edge.tunnel.WindowBudget;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * One request taken on the edge's short path: sent down a tunnel stream with Netty writes of
 * its own, its response written to the visitor by a subclass for the visitor's protocol
 * ({@code Http1Exchange}, {@code Http2Exchange}). It keeps {@code TunnelExchange}'s behaviour:
 * one retry on another connection of the hostname when that is safe, {@code 504} after the
 * response timeout, {@code 502} when the tunnel fails before the response, an aborted response
 * when it fails after; a small body that came with its head leaves in one write, a larger one
 * streams with the visitor setting the pace.
 *
 * <p>Confined to the visitor's event loop: signals of a tunnel stream on another loop hop onto it.
 */
public abstract class Exchange implements Subscriber<ByteBuf> {

	/** Body buffers asked of the tunnel stream ahead of the visitor's writes. */
	private static final int BODY_PREFETCH = 8;

	/** The visitor connection's event loop, where all of this runs. */
	protected final EventLoop loop;

	protected final ExchangeSettings settings;

	protected final HttpMethod method;

	/** The visitor's {@code Host} (or {@code :authority}), as sent. */
	protected final String host;

	private final String hostname;

	protected final String ray;

	private final Http2Headers requestHeaders;

	private final long startNanos = System.nanoTime();

	/** The attempt under way; set by {@link #start}, {@code null} before. */
	protected @Nullable TunnelResponse attempt;

	private @Nullable TunnelConnection target;

	private boolean retried;

	/** Bytes of the request's body received so far: a body of no declared length is counted against the limit. */
	private long bodyBytes;

	private @Nullable Subscription body;

	/** What the windows of this exchange's tunnel streams grow within: its visitor connection's share. */
	private final WindowBudget windows;

	/** Body buffers the visitor was too busy to ask for yet. */
	private int owed;

	private boolean headSent;

	private boolean discardBody;

	private int status;

	/** Whether the response was written whole or aborted, or the visitor left. */
	protected boolean ended;

	/** Whether the request has a body (of a declared length: the forwarders take no other). */
	private final boolean hasBody;

	/** The request body that came before the stream was ready, held for it (and for a retry). */
	private final ArrayDeque<ByteBuf> pendingBody = new ArrayDeque<>();

	private boolean bodyComplete;

	/** Whether the request's end came from the visitor: its headers, or the last part of its body. */
	private boolean requestEnded;

	/** The stream the body goes to once its headers were sent; {@code null} before. */
	private @Nullable Http2StreamChannel bodyStream;

	/**
	 * @param visitor the visitor's channel: its connection's event loop runs the exchange
	 * @param requestHeaders the request as it goes down the tunnel ({@link ForwardedHeaders})
	 * @param hostname the hostname its {@code Host} routes to
	 * @param hasBody whether a body follows the request's headers
	 */
	protected Exchange(Channel visitor, ExchangeSettings settings, HttpMethod method, String host,
			String hostname, String ray, Http2Headers requestHeaders, boolean hasBody) {
		this.loop = visitor.eventLoop();
		this.settings = settings;
		this.windows = settings.windows().forConnection(visitor);
		this.method = method;
		this.host = host;
		this.hostname = hostname;
		this.ray = ray;
		this.requestHeaders = requestHeaders;
		this.hasBody = hasBody;
		this.requestEnded = !hasBody;
	}

	public void start(TunnelConnection connection) {
		start(connection, true);
	}

	/**
	 * @param wakeUp whether the connection's loop is woken for the stream now; without, the caller
	 * wakes it ({@link TunnelConnection#wakeUp()}) once it started all the requests of one read
	 */
	public void start(TunnelConnection connection, boolean wakeUp) {
		responseTimerStarted();
		send(connection, wakeUp);
	}

	/** One attempt: a stream on the connection, the request's headers on it, the response head back. */
	private void send(TunnelConnection connection, boolean wakeUp) {
		TunnelResponse attempt = new TunnelResponse(this.loop, true).windowWithin(this.windows);
		this.attempt = attempt;
		this.target = connection;
		connection.openStream(attempt, wakeUp).addListener((Future<Http2StreamChannel> opened) -> {
			if (!opened.isSuccess()) {
				// Nothing was sent: the request can go to another connection, whatever its method.
				onLoop(() -> failed(attempt, OriginFailure.unprocessed(
						"cannot open a stream on the tunnel connection (" + opened.cause().getMessage() + ")",
						opened.cause())));
				return;
			}
			Http2StreamChannel stream = opened.getNow();
			stream.writeAndFlush(new DefaultHttp2HeadersFrame(this.requestHeaders, !this.hasBody)).addListener((written) -> {
				if (!written.isSuccess()) {
					onLoop(() -> failed(attempt, OriginFailure.connectionLost(
							"cannot send the request on the tunnel connection (" + written.cause().getMessage() + ")")));
				}
			});
			if (this.hasBody) {
				// Written after the headers whichever loop the body's writes come from: they queue
				// behind them on the stream's loop.
				onLoop(() -> bodyStreamReady(attempt, stream));
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
			ByteBuf whole = head.wholeBody();
			if (whole != null) {
				whole.release();
			}
			from.cancel();
		}
	}

	private void bodyStreamReady(TunnelResponse from, Http2StreamChannel stream) {
		if (from != this.attempt || this.ended) {
			return;
		}
		this.bodyStream = stream;
		boolean endSent = false;
		ByteBuf chunk;
		while ((chunk = this.pendingBody.poll()) != null) {
			endSent = this.bodyComplete && this.pendingBody.isEmpty();
			int bytes = chunk.readableBytes();
			bodyWritten(stream.write(new DefaultHttp2DataFrame(chunk, endSent)), bytes);
		}
		if (this.bodyComplete && !endSent) {
			stream.write(new DefaultHttp2DataFrame(true));
		}
		stream.flush();
	}

	/**
	 * A part of the request's body, the last one with the end of the body. Owned from here: sent
	 * on the stream, held until it is ready, or released.
	 */
	public void requestContent(ByteBuf chunk, boolean last) {
		this.requestEnded |= last;
		bodyReceived(chunk.readableBytes());
		if (this.ended) {
			bodyDropped(chunk.readableBytes());
			chunk.release();
			return;
		}
		this.bodyBytes += chunk.readableBytes();
		if (this.bodyBytes > this.settings.maxRequestBody()) {
			bodyDropped(chunk.readableBytes());
			chunk.release();
			bodyTooLarge();
			return;
		}
		TunnelResponse attempt = this.attempt;
		if (attempt != null) {
			attempt.touch();
		}
		if (!this.headSent) {
			// The response's time counts from the request's last byte: a long upload is not cut off.
			responseTimerStarted();
		}
		Http2StreamChannel stream = this.bodyStream;
		if (stream == null) {
			this.bodyComplete = last;
			if (chunk.isReadable()) {
				this.pendingBody.add(chunk);
			}
			else {
				chunk.release();
			}
			return;
		}
		if (chunk.isReadable() || last) {
			int bytes = chunk.readableBytes();
			bodyWritten(stream.writeAndFlush(new DefaultHttp2DataFrame(chunk, last)), bytes);
		}
		else {
			chunk.release();
		}
	}

	/**
	 * The body grew past the limit: the tunnel stream is reset, so the app sees its read of the
	 * body cut, and the visitor gets {@code 413}, or a cut response if its response had started.
	 */
	private void bodyTooLarge() {
		if (this.headSent) {
			onError(new IllegalStateException("request body larger than " + this.settings.maxRequestBody() + " bytes"));
			return;
		}
		releasePendingBody();
		responseTimerStopped();
		TunnelResponse attempt = this.attempt;
		if (attempt != null) {
			attempt.cancel();
		}
		bodyRefused();
		error(FailedRequests.tooLarge("Request", this.ray, this.host, this.settings.maxRequestBody()));
	}

	/**
	 * The request's body is refused before it ended: what still comes of it is not read as a
	 * request, for a visitor protocol that cannot tell where it ends.
	 */
	protected void bodyRefused() {
	}

	private void releasePendingBody() {
		ByteBuf chunk;
		while ((chunk = this.pendingBody.poll()) != null) {
			bodyDropped(chunk.readableBytes());
			chunk.release();
		}
	}

	/** Whether the response was written whole or aborted, or the visitor left: nothing more to do. */
	public final boolean isEnded() {
		return this.ended;
	}

	/** Whether the whole request, its body included, came from the visitor. */
	protected final boolean requestEnded() {
		return this.requestEnded;
	}

	/**
	 * These bytes of the request's body came from the visitor; each of them is then either
	 * {@link #bodyWritten written} or {@link #bodyDropped dropped}.
	 */
	protected void bodyReceived(int bytes) {
	}

	/**
	 * These bytes of the request's body were written to the tunnel stream, on the stream's loop
	 * when {@code written} completes (whether it succeeded or not): for a visitor whose flow
	 * control wants them counted.
	 */
	protected void bodyWritten(ChannelFuture written, int bytes) {
	}

	/** These bytes of the request's body were dropped: the exchange ended first. */
	protected void bodyDropped(int bytes) {
	}

	protected final void onLoop(Runnable task) {
		if (this.loop.inEventLoop()) {
			task.run();
		}
		else {
			this.loop.execute(task);
		}
	}

	/** No response head within the response timeout: the attempt under way fails, and {@link #failed} answers 504. */
	public void responseTimedOut() {
		this.attempt.timeOut(new TimeoutException("no response within " + EdgeErrors.describe(this.settings.responseTimeout())));
	}

	/**
	 * Starts the response timeout, which calls {@link #responseTimedOut} unless stopped first; if
	 * it runs, starts it again from now.
	 */
	protected abstract void responseTimerStarted();

	/** Stops the response timeout: the head came, or the exchange ended. */
	protected abstract void responseTimerStopped();

	private void respond(TunnelResponse from, ResponseHead head) {
		ByteBuf whole = head.wholeBody();
		if (from != this.attempt || this.ended) {
			if (whole != null) {
				whole.release();
			}
			from.cancel();
			return;
		}
		responseTimerStopped();
		boolean noBody = HttpMethod.HEAD.equals(this.method) || head.status() == 204 || head.status() == 304;
		boolean whollyHere = head.endOfStream() || whole != null;
		ByteBuf content = (whole != null && !noBody) ? whole : null;
		if (whole != null && content == null) {
			whole.release();
		}
		// Set before the last write: an HTTP/2 stream closes as it is written.
		this.ended = whollyHere;
		try {
			writeHead(head, noBody, whollyHere, content);
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
		this.discardBody = noBody;
		Duration idle = this.settings.idleTimeout();
		if (idle != null) {
			from.watchIdle(idle);
		}
		from.subscribe(this);
	}

	/**
	 * Writes the agent's response head to the visitor: with its body and its end when the whole
	 * response is here ({@code whole}), otherwise flushed without waiting for the body (a stream of
	 * events shows its headers before its first event), its body to follow.
	 * @param noBody whether the response has no body whatever the agent sent (a {@code HEAD}, a
	 * {@code 204}, a {@code 304})
	 * @param whole whether the response ends with this head and {@code content}
	 * @param content the whole body, or {@code null} for none; owned from here
	 * @throws IllegalArgumentException for a header the visitor's protocol cannot carry, before
	 * anything was written
	 */
	protected abstract void writeHead(ResponseHead head, boolean noBody, boolean whole, @Nullable ByteBuf content);

	/** Writes a part of the response's body, unflushed ({@link #flushSoon}). */
	protected abstract void writeContent(ByteBuf content);

	/** Writes the end of the response's body, with the agent's trailers if it sent any. */
	protected abstract void writeEnd(@Nullable Http2Headers trailers);

	/**
	 * Hands the request, which has no body and of whose response nothing was written, back to
	 * {@code TunnelProxy}, which sends it to another node of the cluster (and counts it in the
	 * metrics).
	 * @return whether it was handed back; {@code false} where it cannot be
	 */
	protected boolean handBack() {
		return false;
	}

	/** Writes one of the edge's own error responses ({@link EdgeErrors}), whole. */
	protected abstract void writeError(HttpResponseStatus status, String cause);

	/** Ends a response that started but cannot finish: the visitor must not take it for whole. */
	protected abstract void abort();

	/** Whether the visitor takes more of the response's body now. */
	protected abstract boolean visitorWritable();

	/** Flushes the visitor's writes once this event-loop turn's writes are done: they leave in one flush. */
	protected abstract void flushSoon();

	/** The response was written whole: the forwarder may go on with the visitor's next request. */
	protected abstract void exchangeEnded();

	// The body's subscriber: signals come on the tunnel stream's event loop.

	@Override
	public void onSubscribe(Subscription subscription) {
		onLoop(() -> {
			if (this.ended) {
				subscription.cancel();
				return;
			}
			this.body = subscription;
			// Nothing asked for a visitor whose window is shut: it would wait in front of the visitor.
			this.owed = BODY_PREFETCH;
			writable();
		});
	}

	@Override
	public void onNext(ByteBuf buffer) {
		onLoop(() -> {
			if (this.ended || this.discardBody) {
				buffer.release();
				if (!this.ended) {
					askMore();
				}
				return;
			}
			writeContent(buffer);
			flushSoon();
			askMore();
		});
	}

	private void askMore() {
		Subscription subscription = this.body;
		if (subscription == null) {
			return;
		}
		if (visitorWritable()) {
			subscription.request(1);
		}
		else {
			this.owed++;
		}
	}

	/** The visitor drained: the body buffers it was too busy for are asked for. */
	public void writable() {
		Subscription subscription = this.body;
		if (subscription != null && this.owed > 0 && !this.ended && visitorWritable()) {
			int n = this.owed;
			this.owed = 0;
			subscription.request(n);
		}
	}

	@Override
	public void onError(Throwable cause) {
		onLoop(() -> {
			if (this.ended) {
				return;
			}
			// The head went out: the only honest signal left is a truncated response.
			FailedRequests.aborted("Request", this.ray, this.host, cause.getMessage());
			this.ended = true;
			releasePendingBody();
			abort();
			record(false);
		});
	}

	@Override
	public void onComplete() {
		onLoop(() -> {
			if (this.ended) {
				return;
			}
			this.ended = true;
			writeEnd(this.attempt.trailers());
			ended();
		});
	}

	/** The response went out whole. */
	private void ended() {
		this.ended = true;
		releasePendingBody();
		record(false);
		exchangeEnded();
	}

	private void failed(TunnelResponse from, Throwable cause) {
		if (from != this.attempt || this.ended) {
			return;
		}
		if (this.headSent) {
			onError(cause);
			return;
		}
		boolean retryable = cause instanceof OriginFailure failure && failure.allowsRetry(this.method, this.bodyStream != null);
		if (retryable && !this.retried) {
			TunnelConnection failedOn = this.target;
			TunnelConnection other = this.settings.routes().select(this.hostname);
			if (other != null && other != failedOn) {
				this.retried = true;
				FailedRequests.retried("Request", this.ray, this.host, cause.getMessage(),
						"tunnel connection " + other.id() + " (failed on " + ((failedOn != null) ? failedOn.id() : "?") + ")");
				send(other, true);
				return;
			}
		}
		responseTimerStopped();
		from.cancel();
		if (retryable && this.settings.inCluster() && !this.hasBody && handBack()) {
			// Once more on another node, as TunnelProxy does for the requests it forwards: an outage
			// that kills one tunnel connection of this node often kills the others a moment later.
			FailedRequests.retried("Request", this.ray, this.host, cause.getMessage(),
					"another edge node (no other tunnel connection here)");
			this.ended = true;
			return;
		}
		error(FailedRequests.answer("Request", this.ray, this.host, cause,
				"no response within " + EdgeErrors.describe(this.settings.responseTimeout())));
	}

	private void error(FailedRequests.Answer answer) {
		HttpResponseStatus status = answer.status();
		String cause = answer.cause();
		this.status = status.code();
		this.headSent = true;
		this.ended = true;
		writeError(status, cause);
		ended();
	}

	/** The visitor left (its connection closed, or it reset the stream): the tunnel stream is reset unless it completed. */
	public void visitorLeft() {
		if (this.ended) {
			return;
		}
		this.ended = true;
		releasePendingBody();
		responseTimerStopped();
		TunnelResponse attempt = this.attempt;
		if (attempt != null) {
			attempt.cancel();
		}
		record(!this.headSent);
	}

	private void record(boolean cancelledBeforeResponse) {
		EdgeMetrics metrics = this.settings.metrics();
		if (metrics != null) {
			metrics.recordRoutedRequest(this.hostname, this.status, cancelledBeforeResponse,
					System.nanoTime() - this.startNanos);
		}
	}

}
