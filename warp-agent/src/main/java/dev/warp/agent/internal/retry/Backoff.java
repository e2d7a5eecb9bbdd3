package dev.warp.agent.internal.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: the n-th consecutive failure waits a uniformly random
 * time in {@code [0, min(max, initial * 2^n))}, so that many agents that lost the same edge
 * spread their retries instead of storming it together.
 */
public final class Backoff {

	private final long initialNanos;

	private final long maxNanos;

	private int failures;

	public Backoff(Duration initial, Duration max) {
		this.initialNanos = initial.toNanos();
		this.maxNanos = max.toNanos();
	}

	/** The delay before the next attempt, counting one more failure. */
	public Duration nextDelay() {
		long ceiling = ceilingNanos(this.failures);
		this.failures = Math.min(this.failures + 1, 62);
		return Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling + 1));
	}

	/** The upper bound of the delay after {@code failures} consecutive failures. */
	long ceilingNanos(int failures) {
		long ceiling = this.initialNanos;
		for (int i = 0; i < failures && ceiling < this.maxNanos; i++) {
			ceiling = ceiling * 2;
		}
		return Math.min(ceiling, this.maxNanos);
	}

	/** Consecutive failures so far. */
	public int failures() {
		return this.failures;
	}

	/** After a success: the next failure starts from the initial delay again. */
	public void reset() {
		this.failures = 0;
	}

}
