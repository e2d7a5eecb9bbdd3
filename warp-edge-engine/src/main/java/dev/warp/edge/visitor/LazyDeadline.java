package dev.warp.edge.visitor;

import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * A deadline of a connection that is set and cleared far more often than it expires, such as a
 * timeout per request on a keep-alive connection. Clearing it cancels no timer and setting it
 * schedules one only when none is pending; the pending timer checks when it fires and schedules
 * itself again for what is left. A connection then costs a timer task per timeout period instead
 * of a schedule and a cancel per request. Every deadline is the same time away, so the pending
 * timer never fires after it.
 *
 * <p>Confined to its executor: the connection's event loop.
 */
public final class LazyDeadline {

	private final EventExecutor executor;

	private final long timeoutNanos;

	private final Runnable onExpiry;

	private long deadline;

	private boolean set;

	private @Nullable ScheduledFuture<?> timer;

	/**
	 * @param executor the connection's event loop, where {@code onExpiry} runs
	 * @param timeoutNanos how far away every deadline is when set
	 * @param onExpiry what happens when a deadline passes while set
	 */
	LazyDeadline(EventExecutor executor, long timeoutNanos, Runnable onExpiry) {
		this.executor = executor;
		this.timeoutNanos = timeoutNanos;
		this.onExpiry = onExpiry;
	}

	/** Sets the deadline to the timeout from now. */
	void set() {
		this.deadline = System.nanoTime() + this.timeoutNanos;
		this.set = true;
		if (this.timer == null) {
			this.timer = this.executor.schedule(this::check, this.timeoutNanos, TimeUnit.NANOSECONDS);
		}
	}

	/** Clears the deadline; the pending timer, if any, finds nothing to do. */
	void clear() {
		this.set = false;
	}

	/** Clears the deadline and cancels the pending timer: for a connection that closed. */
	void cancel() {
		this.set = false;
		ScheduledFuture<?> pending = this.timer;
		this.timer = null;
		if (pending != null) {
			pending.cancel(false);
		}
	}

	private void check() {
		this.timer = null;
		if (!this.set) {
			return;
		}
		long left = this.deadline - System.nanoTime();
		if (left <= 0) {
			this.set = false;
			this.onExpiry.run();
		}
		else {
			this.timer = this.executor.schedule(this::check, left, TimeUnit.NANOSECONDS);
		}
	}

}
