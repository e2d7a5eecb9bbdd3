package dev.warp.edge.tunnel;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The response side of one tunnel stream: the handler of the stream's channel, which delivers
 * the response head once, then the body as a {@link Publisher} of buffers.
 *
 * <p>The stream channel does not read by itself. It reads one frame per {@code read()}, and this
 * class asks for the next frame only while the body's subscriber has demand, so that the
 * agent can never get further ahead of the visitor than the stream's flow-control window. Frames
 * that arrive before the subscriber are kept, not dropped. The exception is right after the head:
 * up to two more frames are read at once, so that a small body that came with its head is sent
 * to the visitor with it ({@link ResponseHead#wholeBody()}).
 *
 * <p>The stream's window starts small ({@link StreamWindow#INITIAL}) and doubles, up to
 * {@link StreamWindow#MAX}, each time the subscriber took all of it while the visitor could take
 * more, within the visitor connection's {@link WindowBudget}: a response nobody reads holds a
 * small window at the edge, one that flows gets the window a long round trip needs. Given the
 * visitor's channel ({@link #pacedBy}), the body is read only while that channel is writable,
 * whatever the subscriber's demand: a subscriber that writes all it is given (Reactor Netty's
 * {@code send}) would otherwise pile the response up in front of a visitor who reads nothing.
 *
 * <p>All state is confined to the stream's event loop; calls from other threads hop onto it.
 */
public final class TunnelResponse extends ChannelInboundHandlerAdapter implements Publisher<ByteBuf>, Subscription {

	private static final Logger logger = LoggerFactory.getLogger(TunnelResponse.class);

	private final Sinks.One<ResponseHead> head = Sinks.one();

	/** Where the visitor's response is written; a whole body is handed over only on that thread. */
	private final EventLoop visitorLoop;

	/** A head received but not emitted yet: it waits for the end of the event loop's turn. */
	private @Nullable ResponseHead pendingHead;

	private final ArrayDeque<ByteBuf> body = new ArrayDeque<>();

	private volatile @Nullable Channel channel;

	private volatile boolean cancelled;

	private volatile @Nullable Http2Headers trailers;

	private @Nullable Subscriber<? super ByteBuf> subscriber;

	private long demand;

	private boolean headReceived;

	private boolean bodyComplete;

	private boolean terminated;

	private @Nullable Throwable failure;

	private @Nullable String resetReason;

	private boolean refused;

	private boolean draining;

	private boolean drainAgain;

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

	/** What the stream's window grows within; {@code null} for growth without a budget. */
	private @Nullable WindowBudget windowBudget;

	/** The visitor's channel: the body is read only while it is writable. */
	private @Nullable Channel visitor;

	/** The stream's window: what the agent may send ahead of the edge's reads. */
	private int window = StreamWindow.INITIAL;

	/** Bytes of window taken from {@link #windowBudget}, given back when the stream closes. */
	private int windowTaken;

	/** Bytes the subscriber took since the window last grew. */
	private int takenSinceGrowth;

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

	/** The visitor's channel became writable again: reading resumes. Safe from any thread. */
	public void visitorWritable() {
		Channel stream = this.channel;
		if (stream != null) {
			onStreamLoop(stream, this::readIfWanted);
		}
	}

	/** The response head: status and headers, once the agent sent them. */
	public Mono<ResponseHead> head() {
		return this.head.asMono();
	}

	/** The response's trailers, once the body has completed with some. */
	public @Nullable Http2Headers trailers() {
		return this.trailers;
	}

	/**
	 * Resets the stream (RST_STREAM CANCEL) unless it has completed, and drops what it buffered.
	 * The agent's application sees its request cancelled. Safe from any thread, any number of
	 * times.
	 */
	@Override
	public void cancel() {
		this.cancelled = true;
		Channel stream = this.channel;
		if (stream != null) {
			stream.eventLoop().execute(this::cancelOnEventLoop);
		}
	}

	/** Whether {@link #cancel()} was called: the visitor left, or the exchange gave up on it. */
	public boolean isCancelled() {
		return this.cancelled;
	}

	/**
	 * Fails the response head with the given timeout unless it has arrived; the stream itself is
	 * reset by {@link #cancel()}. Safe from any thread: should the head arrive at the same moment,
	 * whichever signal the sink takes first wins.
	 */
	public void timeOut(Throwable timeout) {
		Channel stream = this.channel;
		if (stream == null) {
			this.head.tryEmitError(timeout);
		}
		else {
			onStreamLoop(stream, () -> {
				if (!this.headReceived) {
					this.headReceived = true;
					this.head.tryEmitError(timeout);
				}
			});
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
		Channel stream = this.channel;
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
		Channel stream = this.channel;
		if (stream != null) {
			onStreamLoop(stream, () -> scheduleIdleCheck(stream, timeout, timeout.toNanos()));
		}
	}

	private void scheduleIdleCheck(Channel stream, Duration timeout, long delayNanos) {
		this.idleCheck = stream.eventLoop().schedule(() -> {
			if (this.terminated || this.cancelled || this.failure != null || this.bodyComplete || !stream.isActive()) {
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

	// Channel handler: runs on the stream's event loop.

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.channel = ctx.channel();
		this.health = ConnectionHealth.of(ctx.channel());
		this.openedNanos = System.nanoTime();
		if (this.cancelled) {
			cancelOnEventLoop();
		}
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		// The head is the first thing to read; reading more waits for demand.
		ctx.read();
		ctx.fireChannelActive();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (this.terminated || this.cancelled) {
			ReferenceCountUtil.release(msg);
			return;
		}
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
		if (!this.headReceived) {
			CharSequence status = frame.headers().status();
			int code = ResponseHead.parseStatus(status);
			if (code < 0) {
				failed(new OriginFailure("the agent sent an invalid :status " + status));
				return;
			}
			if (code >= 100 && code < 200) {
				// Reactor Netty cannot send a visitor other informational responses than its own
				// 100 Continue, which it sends when the edge starts reading the request body.
				logger.debug("Skipped informational response {} from the agent", code);
				return;
			}
			this.headReceived = true;
			this.bodyComplete = frame.isEndStream();
			if (this.health != null) {
				this.health.answered(System.nanoTime() - this.openedNanos);
			}
			ResponseHead head = new ResponseHead(code, frame.headers(), frame.isEndStream());
			if (frame.isEndStream() || !(this.wholeBodyFromAnyLoop || this.visitorLoop.inEventLoop())) {
				this.head.tryEmitValue(head);
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
		if (this.terminated || this.cancelled) {
			return;
		}
		ByteBuf whole = null;
		if (this.failure == null && this.bodyComplete && this.trailers == null && this.body.size() <= 1) {
			whole = this.body.isEmpty() ? Unpooled.EMPTY_BUFFER : this.body.poll();
			this.terminated = true;
			head = head.withWholeBody(whole);
		}
		if (this.head.tryEmitValue(head).isFailure() && whole != null) {
			whole.release();
		}
	}

	private void onData(Channel stream, Http2DataFrame frame) {
		if (!this.headReceived) {
			frame.release();
			failed(new OriginFailure("the agent sent a body before its response headers"));
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
	public void channelReadComplete(ChannelHandlerContext ctx) {
		readIfWanted();
		ctx.fireChannelReadComplete();
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
		if (evt instanceof Http2ResetFrame reset) {
			this.resetReason = "stream reset by the agent (" + StreamErrors.name(reset.errorCode()) + ")";
			this.refused = reset.errorCode() == Http2Error.REFUSED_STREAM.code();
		}
		ReferenceCountUtil.release(evt);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		failed(new OriginFailure("tunnel stream failed: " + cause.getMessage(), cause));
		ctx.close();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		WindowBudget budget = this.windowBudget;
		if (budget != null && this.windowTaken > 0) {
			budget.release(this.windowTaken);
			this.windowTaken = 0;
		}
		// A pending idle check holds this response, and its stream, for up to the idle timeout:
		// at thousands of requests a second that is the heap, not a few timers.
		ScheduledFuture<?> check = this.idleCheck;
		if (check != null) {
			this.idleCheck = null;
			check.cancel(false);
		}
		if (!this.bodyComplete || !this.headReceived) {
			Channel parent = ctx.channel().parent();
			if (this.resetReason != null) {
				failed(this.refused ? OriginFailure.unprocessed(this.resetReason, null) : new OriginFailure(this.resetReason));
			}
			else if (parent != null && !parent.isActive()) {
				failed(OriginFailure.connectionLost("tunnel connection closed"));
			}
			else {
				failed(new OriginFailure("stream closed before the response ended"));
			}
		}
		ctx.fireChannelInactive();
	}

	private void failed(Throwable cause) {
		if (this.failure != null || this.terminated) {
			return;
		}
		// A head already received goes out first: the failure then ends its body, as it would
		// have had the head not waited for the rest of its read.
		emitPendingHead();
		if (this.terminated) {
			return;
		}
		this.failure = cause;
		if (this.health != null && !this.failureByEdge) {
			this.health.failed();
		}
		if (!this.headReceived) {
			this.headReceived = true;
			this.head.tryEmitError(cause);
		}
		releaseBody();
		drain();
		Channel stream = this.channel;
		if (stream != null && stream.isActive()) {
			stream.close();
		}
	}

	// Publisher and Subscription of the body.

	@Override
	public void subscribe(Subscriber<? super ByteBuf> subscriber) {
		Channel stream = this.channel;
		if (stream == null) {
			// The body is only subscribed to after the head arrived, so after the stream opened.
			subscriber.onSubscribe(this);
			subscriber.onError(new IllegalStateException("The tunnel stream is not open"));
			return;
		}
		onStreamLoop(stream, () -> {
			if (this.subscriber != null) {
				subscriber.onSubscribe(this);
				subscriber.onError(new IllegalStateException("A tunnel response body has one subscriber only"));
				return;
			}
			this.subscriber = subscriber;
			subscriber.onSubscribe(this);
			drain();
		});
	}

	@Override
	public void request(long n) {
		Channel stream = this.channel;
		if (stream == null) {
			return;
		}
		onStreamLoop(stream, () -> {
			if (n <= 0) {
				failed(new IllegalArgumentException("Reactive Streams rule 3.9: request must be positive, was " + n));
				return;
			}
			this.demand = (this.demand + n < 0) ? Long.MAX_VALUE : this.demand + n;
			drain();
			readIfWanted();
		});
	}

	/** Runs on the stream's event loop: at once when already there, which spares a task per call. */
	private static void onStreamLoop(Channel stream, Runnable task) {
		if (stream.eventLoop().inEventLoop()) {
			task.run();
		}
		else {
			stream.eventLoop().execute(task);
		}
	}

	/**
	 * Delivers what the subscriber asked for. Not reentrant: a subscriber that requests more
	 * from within onNext only marks that another pass is due, so signals stay in order and the
	 * body terminates once.
	 */
	private void drain() {
		if (this.draining) {
			this.drainAgain = true;
			return;
		}
		this.draining = true;
		try {
			do {
				this.drainAgain = false;
				drainOnce();
			}
			while (this.drainAgain);
		}
		finally {
			this.draining = false;
		}
	}

	private void drainOnce() {
		Subscriber<? super ByteBuf> target = this.subscriber;
		if (target == null || this.terminated) {
			return;
		}
		while (this.demand > 0 && !this.body.isEmpty()) {
			this.demand--;
			ByteBuf buffer = this.body.poll();
			int bytes = buffer.readableBytes();
			target.onNext(buffer);
			taken(bytes);
		}
		if (this.body.isEmpty()) {
			if (this.failure != null) {
				this.terminated = true;
				target.onError(this.failure);
			}
			else if (this.bodyComplete) {
				this.terminated = true;
				target.onComplete();
			}
		}
	}

	private void readIfWanted() {
		Channel stream = this.channel;
		if (stream == null || !stream.isActive() || this.cancelled || this.failure != null || this.bodyComplete) {
			return;
		}
		if (!this.headReceived || (this.subscriber != null && this.demand > this.body.size() && isVisitorWritable())) {
			stream.read();
		}
	}

	private boolean isVisitorWritable() {
		Channel visitor = this.visitor;
		return visitor == null || visitor.isWritable();
	}

	/**
	 * The subscriber took these bytes: once it took a whole window while the visitor could take
	 * more, the window doubles, as far as the budget allows.
	 */
	private void taken(int bytes) {
		this.takenSinceGrowth += bytes;
		if (this.window >= StreamWindow.MAX || this.takenSinceGrowth < this.window || !isVisitorWritable()) {
			return;
		}
		this.takenSinceGrowth = 0;
		int wanted = Math.min(this.window, StreamWindow.MAX - this.window);
		WindowBudget budget = this.windowBudget;
		int granted = (budget != null) ? budget.take(wanted) : wanted;
		if (granted <= 0) {
			return;
		}
		Channel stream = this.channel;
		if (stream != null && StreamWindow.grow(stream, granted)) {
			this.window += granted;
			if (budget != null) {
				this.windowTaken += granted;
			}
		}
		else if (budget != null) {
			budget.release(granted);
		}
	}

	private void cancelOnEventLoop() {
		this.terminated = true;
		this.subscriber = null;
		releaseBody();
		Channel stream = this.channel;
		if (stream != null && stream.isActive()) {
			// Closing a stream that has not ended sends RST_STREAM(CANCEL).
			stream.close();
		}
	}

	private void releaseBody() {
		ByteBuf buffer;
		while ((buffer = this.body.poll()) != null) {
			buffer.release();
		}
	}

}
