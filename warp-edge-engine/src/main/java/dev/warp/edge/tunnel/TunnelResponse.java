package dev.warp.edge.tunnel;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

/**
 * The response side of one tunnel stream: the handler of the stream's channel, which delivers
 * the response head once, then the body as a {@link Publisher} of buffers
 * ({@link TunnelResponseBody}: read on demand, within a window that grows as the visitor reads).
 *
 * <p>The exception to reading on demand is right after the head: up to two more frames are read
 * at once, so that a small body that came with its head is sent to the visitor with it
 * ({@link ResponseHead#wholeBody()}).
 *
 * <p>All state is confined to the stream's event loop; calls from other threads hop onto it.
 */
public final class TunnelResponse extends TunnelResponseBody {

	/** Where the visitor's response is written; a whole body is handed over only on that thread. */
	private final EventLoop visitorLoop;

	/** A head received but not emitted yet: it waits for the end of the event loop's turn. */
	private @Nullable ResponseHead pendingHead;

	private volatile @Nullable Http2Headers trailers;

	/** The health of the connection this stream is on, which hears how the request went. */
	private @Nullable ConnectionHealth health;

	private long openedNanos;

	/** The pending idle check of {@link #watchIdle}, confined to the stream's event loop. */
	private @Nullable ScheduledFuture<?> idleCheck;

	/** When a byte last passed on the stream, either way: what the idle timeout measures. */
	private volatile long lastActivityNanos = System.nanoTime();

	/** Whether the failure is the edge's own decision, not the tunnel's fault. */
	private boolean failureByEdge;

	/** Whether a head on another loop than the visitor's waits for a whole body too. */
	private final boolean wholeBodyFromAnyLoop;

	/**
	 * @param visitorLoop the event loop of the visitor's connection: a body that arrived whole
	 * goes out with its head when the stream runs there too
	 */
	public TunnelResponse(EventLoop visitorLoop) {
		this(visitorLoop, false);
	}

	/**
	 * @param wholeBodyFromAnyLoop whether a body that arrived whole goes with its head whichever
	 * loop the stream runs on: for a subscriber of {@link #head()} that releases a head's body
	 * itself wherever it ends up (one hop to the visitor's loop instead of one per signal of a
	 * streamed body)
	 */
	public TunnelResponse(EventLoop visitorLoop, boolean wholeBodyFromAnyLoop) {
		this.visitorLoop = visitorLoop;
		this.wholeBodyFromAnyLoop = wholeBodyFromAnyLoop;
	}

	/**
	 * Lets the stream's window grow within {@code budget}. Before the stream opens.
	 * @return this response
	 */
	public TunnelResponse windowWithin(@Nullable WindowBudget budget) {
		this.windowBudget = budget;
		return this;
	}

	/**
	 * Reads the body only while {@code visitor} is writable; {@link #visitorWritable()} resumes
	 * reading. Before the stream opens.
	 * @return this response
	 */
	public TunnelResponse pacedBy(Channel visitor) {
		this.visitor = visitor;
		return this;
	}

	/** The response's trailers, once the body has completed with some. */
	public @Nullable Http2Headers trailers() {
		return this.trailers;
	}

	/**
	 * Fails the response head with the given timeout unless it has arrived; the stream itself is
	 * reset by {@link #cancel()}. Safe from any thread: should the head arrive at the same moment,
	 * whichever signal the sink takes first wins.
	 */
	public void timeOut(Throwable timeout) {
		Channel stream = channel();
		if (stream == null) {
			failHeadBeforeOpen(timeout);
		}
		else {
			onStreamLoop(stream, () -> failHead(timeout));
		}
	}

	/** A byte passed on the stream, either way. Safe from any thread. */
	public void touch() {
		this.lastActivityNanos = System.nanoTime();
	}

	/** When a byte last passed on the stream, either way ({@link System#nanoTime()}). */
	public long lastActivityNanos() {
		return this.lastActivityNanos;
	}

	/**
	 * Ends the exchange with a failure of the edge's own making (a limit): the response's
	 * subscriber, or the head's, gets {@code cause}, and the stream is reset (RST_STREAM CANCEL)
	 * so the application's work stops. Not counted against the tunnel connection's health.
	 */
	public void abort(Throwable cause) {
		Channel stream = channel();
		if (stream != null) {
			onStreamLoop(stream, () -> {
				this.failureByEdge = true;
				failed(cause);
			});
		}
	}

	/**
	 * Resets the stream and fails the body with a {@link StreamIdleException} once no byte has
	 * passed either way for {@code timeout}. Checks are timers on the stream's event loop, one at
	 * a time, rescheduled by the activity they find: nothing runs per byte but a clock read.
	 */
	public void watchIdle(Duration timeout) {
		Channel stream = channel();
		if (stream != null) {
			onStreamLoop(stream, () -> scheduleIdleCheck(stream, timeout, timeout.toNanos()));
		}
	}

	private void scheduleIdleCheck(Channel stream, Duration timeout, long delayNanos) {
		this.idleCheck = stream.eventLoop().schedule(() -> {
			if (this.terminated || isCancelled() || failure() != null || this.bodyComplete || !stream.isActive()) {
				return;
			}
			long idle = System.nanoTime() - this.lastActivityNanos;
			if (idle >= timeout.toNanos()) {
				this.failureByEdge = true;
				failed(new StreamIdleException(timeout));
			}
			else {
				scheduleIdleCheck(stream, timeout, timeout.toNanos() - idle);
			}
		}, delayNanos, TimeUnit.NANOSECONDS);
	}

	// On the stream's event loop.

	@Override
	void streamAdded(ChannelHandlerContext ctx) {
		this.health = ConnectionHealth.of(ctx.channel());
		this.openedNanos = System.nanoTime();
	}

	@Override
	void frameRead(ChannelHandlerContext ctx, Object msg) {
		this.lastActivityNanos = System.nanoTime();
		boolean endOfStream = (msg instanceof Http2HeadersFrame headers && headers.isEndStream())
				|| (msg instanceof Http2DataFrame data && data.isEndStream());
		if (msg instanceof Http2HeadersFrame frame) {
			onHeaders(ctx.channel(), frame);
		}
		else if (msg instanceof Http2DataFrame frame) {
			onData(ctx.channel(), frame);
		}
		else {
			ReferenceCountUtil.release(msg);
		}
		if (endOfStream && this.bodyComplete && ctx.channel() instanceof Http2StreamChannel stream
				&& stream.stream().state().localSideOpen()) {
			// After this turn: the codec marks the agent's side closed only once this read returns.
			stream.eventLoop().execute(() -> stopRequestBody(stream));
		}
	}

	/**
	 * The agent's response ended while the request's body was still going to it: the application
	 * answered without reading all of it (a 401 or 413 before an upload, say). The edge resets
	 * the stream (RST_STREAM CANCEL), as a client that needs no more of an exchange does: left
	 * open, the stream stayed at both ends a request in flight for as long as its connection
	 * lived, counted by the agent and in the edge's balancing. What of the body still comes from
	 * the visitor is dropped; the response is all here already.
	 */
	private static void stopRequestBody(Http2StreamChannel stream) {
		if (stream.isActive() && stream.stream().state().localSideOpen()) {
			stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
		}
	}

	private void onHeaders(Channel stream, Http2HeadersFrame frame) {
		if (!headReceived()) {
			int code = finalStatus(frame);
			if (code < 0) {
				return;
			}
			headArrived();
			this.bodyComplete = frame.isEndStream();
			if (this.health != null) {
				this.health.answered(System.nanoTime() - this.openedNanos);
			}
			ResponseHead head = new ResponseHead(code, frame.headers(), frame.isEndStream());
			if (frame.isEndStream() || !(this.wholeBodyFromAnyLoop || this.visitorLoop.inEventLoop())) {
				emitHead(head);
			}
			else {
				// A small body usually follows in the same read from the tunnel: the head waits for
				// the end of the event loop's turn with the next frames read, so that a body that came
				// whole leaves in one write with its head instead of as a stream of chunks.
				this.pendingHead = head;
				stream.read();
				stream.eventLoop().execute(this::emitPendingHead);
			}
		}
		else {
			this.trailers = frame.headers();
			this.bodyComplete = true;
		}
		drain();
	}

	/**
	 * Emits the head that waited for the rest of its read, with the whole body attached when the
	 * body is complete in one buffer without trailers. Unless the subscriber said it takes a body
	 * from any loop, only a head on the visitor's event loop waits: the exchange then takes it,
	 * and the buffer, synchronously, with no hop in which the buffer could be lost.
	 */
	private void emitPendingHead() {
		ResponseHead head = this.pendingHead;
		if (head == null) {
			return;
		}
		this.pendingHead = null;
		if (this.terminated || isCancelled()) {
			return;
		}
		ByteBuf whole = null;
		if (failure() == null && this.bodyComplete && this.trailers == null && this.body.size() <= 1) {
			whole = this.body.isEmpty() ? Unpooled.EMPTY_BUFFER : this.body.poll();
			this.terminated = true;
			head = head.withWholeBody(whole);
		}
		if (!emitHead(head) && whole != null) {
			whole.release();
		}
	}

	private void onData(Channel stream, Http2DataFrame frame) {
		if (!headReceived()) {
			bodyBeforeHead(frame);
			return;
		}
		if (frame.content().isReadable()) {
			// The frame is its content: ownership passes to the queue, then to the subscriber.
			this.body.add(frame.content());
		}
		else {
			frame.release();
		}
		if (frame.isEndStream()) {
			this.bodyComplete = true;
		}
		else if (this.pendingHead != null && this.body.size() <= 1) {
			// Still one buffer at most: the end of the stream may be in the same read (an
			// application's body often ends with an empty DATA frame of its own).
			stream.read();
		}
		drain();
	}

	@Override
	boolean isComplete() {
		return this.bodyComplete && headReceived();
	}

	@Override
	String carries() {
		return "response";
	}

	@Override
	void flushHead() {
		emitPendingHead();
	}

	@Override
	void countFailure() {
		if (this.health != null && !this.failureByEdge) {
			this.health.failed();
		}
	}

	/** A refused stream never reached the application: the request may go elsewhere. */
	@Override
	OriginFailure resetByAgent(String reason, boolean refused) {
		return refused ? OriginFailure.unprocessed(reason, null) : new OriginFailure(reason);
	}

	@Override
	void streamClosed() {
		super.streamClosed();
		// A pending idle check holds this response, and its stream, for up to the idle timeout:
		// at thousands of requests a second that is the heap, not a few timers.
		ScheduledFuture<?> check = this.idleCheck;
		if (check != null) {
			this.idleCheck = null;
			check.cancel(false);
		}
	}

}
