package dev.warp.edge.exchange;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.warp.edge.tunnel.StreamConnection;
import dev.warp.edge.tunnel.TunnelResponse;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * An {@link Exchange}'s response timeout: its visitor's timer, which counts the response timeout
 * from the request's last byte, and past it the margin the upstream gives the attempt's
 * connection ({@link Upstream#responseMargin}): another edge node times its agent out itself, and
 * its {@code 504} should reach the visitor rather than both nodes giving up together. Confined to
 * the visitor's event loop.
 */
final class ResponseTimeout {

	private final Visitor visitor;

	private final EventLoop loop;

	private final ExchangeSettings settings;

	private @Nullable ScheduledFuture<?> margin;

	ResponseTimeout(Visitor visitor, EventLoop loop, ExchangeSettings settings) {
		this.visitor = visitor;
		this.loop = loop;
		this.settings = settings;
	}

	/** Starts the timeout from now, or again from now. */
	void start() {
		cancelMargin();
		this.visitor.responseTimerStarted();
	}

	/** Stops it: the head came, or the exchange ended. */
	void stop() {
		cancelMargin();
		this.visitor.responseTimerStopped();
	}

	/**
	 * The visitor's timer ran out: the attempt under way on {@code target} times out now, or once
	 * the margin for {@code target} passed too (unless the timeout is started again or stopped
	 * first), and the exchange answers {@code 504}.
	 */
	void expired(TunnelResponse attempt, @Nullable StreamConnection target) {
		Duration margin = this.settings.upstream().responseMargin(target);
		if (margin.isZero()) {
			timeOut(attempt);
			return;
		}
		this.margin = this.loop.schedule(() -> {
			this.margin = null;
			timeOut(attempt);
		}, margin.toNanos(), TimeUnit.NANOSECONDS);
	}

	private void timeOut(TunnelResponse attempt) {
		attempt.timeOut(new TimeoutException("no response within " + EdgeErrors.describe(this.settings.responseTimeout())));
	}

	private void cancelMargin() {
		ScheduledFuture<?> pending = this.margin;
		if (pending != null) {
			this.margin = null;
			pending.cancel(false);
		}
	}

}
