package dev.warp.edge.tunnel;

import java.util.ArrayDeque;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The body of a {@link TunnelResponse}: a {@link Publisher} of buffers, with one subscriber, read
 * from the stream only while that subscriber has demand, so that the agent can never get further
 * ahead of the visitor than the stream's flow-control window. Frames that arrive before the
 * subscriber are kept, not dropped.
 *
 * <p>The stream's window starts small ({@link StreamWindow#INITIAL}) and doubles, up to
 * {@link StreamWindow#MAX}, each time the subscriber took all of it while the visitor could take
 * more, within the visitor connection's {@link WindowBudget}: a response nobody reads holds a
 * small window at the edge, one that flows gets the window a long round trip needs. Given the
 * visitor's channel, the body is read only while that channel is writable, whatever the
 * subscriber's demand: a subscriber that writes all it is given (Reactor Netty's {@code send})
 * would otherwise pile the response up in front of a visitor who reads nothing.
 *
 * <p>A base class rather than a part: a response and its body are one object, as they are one
 * stream, which spares an allocation per request.
 */
abstract class TunnelResponseBody extends TunnelStreamHandler implements Publisher<ByteBuf>, Subscription {

	/** What arrived and the subscriber has not taken yet; each buffer is owned by the queue. */
	final ArrayDeque<ByteBuf> body = new ArrayDeque<>();

	/** Whether the body's last frame arrived. */
	boolean bodyComplete;

	/** Whether the subscriber was terminated, or will not be: nothing more is delivered. */
	boolean terminated;

	/** What the stream's window grows within; {@code null} for growth without a budget. */
	@Nullable WindowBudget windowBudget;

	/** The visitor's channel: the body is read only while it is writable. */
	@Nullable Channel visitor;

	private @Nullable Subscriber<? super ByteBuf> subscriber;

	private long demand;

	private boolean draining;

	private boolean drainAgain;

	/** The stream's window: what the agent may send ahead of the edge's reads. */
	private int window = StreamWindow.INITIAL;

	/** Bytes of window taken from {@link #windowBudget}, given back when the stream closes. */
	private int windowTaken;

	/** Bytes the subscriber took since the window last grew. */
	private int takenSinceGrowth;

	/** The visitor's channel became writable again: reading resumes. Safe from any thread. */
	public void visitorWritable() {
		Channel stream = channel();
		if (stream != null) {
			onStreamLoop(stream, this::readIfWanted);
		}
	}

	@Override
	public void subscribe(Subscriber<? super ByteBuf> subscriber) {
		Channel stream = channel();
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
		Channel stream = channel();
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

	/** A task even on the stream's loop: the subscriber may cancel from within onNext, mid-delivery. */
	@Override
	void cancelOn(Channel stream) {
		stream.eventLoop().execute(this::cancelOnLoop);
	}

	/**
	 * Delivers what the subscriber asked for. Not reentrant: a subscriber that requests more
	 * from within onNext only marks that another pass is due, so signals stay in order and the
	 * body terminates once.
	 */
	final void drain() {
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
			Throwable failure = failure();
			if (failure != null) {
				this.terminated = true;
				target.onError(failure);
			}
			else if (this.bodyComplete) {
				this.terminated = true;
				target.onComplete();
			}
		}
	}

	@Override
	final void readIfWanted() {
		Channel stream = channel();
		if (stream == null || !stream.isActive() || isCancelled() || failure() != null || this.bodyComplete) {
			return;
		}
		if (!headReceived() || (this.subscriber != null && this.demand > this.body.size() && isVisitorWritable())) {
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
		Channel stream = channel();
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

	@Override
	void streamClosed() {
		WindowBudget budget = this.windowBudget;
		if (budget != null && this.windowTaken > 0) {
			budget.release(this.windowTaken);
			this.windowTaken = 0;
		}
	}

	@Override
	final boolean isOver() {
		return this.terminated;
	}

	@Override
	final void endWithFailure() {
		releaseBody();
		drain();
	}

	@Override
	final void dropBuffered() {
		this.terminated = true;
		this.subscriber = null;
		releaseBody();
	}

	private void releaseBody() {
		ByteBuf buffer;
		while ((buffer = this.body.poll()) != null) {
			buffer.release();
		}
	}

}
