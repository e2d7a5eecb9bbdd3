package dev.warp.edge.provisioning;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Failed provisioning attempts per client ({@link dev.warp.edge.limit.ClientAddress}: an IPv6
 * client by its {@code /64}), so that nobody can try tokens faster than an application ever needs:
 * a client that failed {@code limit} times within a minute is refused until that minute is over,
 * without its tokens being checked. An attempt counts as failed from its start and is forgiven
 * when it succeeds, so that parallel requests cannot all pass the check before any is counted. Memory is bounded: at most
 * {@link #MAX_ADDRESSES} addresses are tracked, each one minute; should more fail within a minute
 * (an attack from many addresses), the addresses beyond them share one allowance.
 */
final class FailedAttempts {

	/** Addresses tracked at most: about a megabyte. */
	static final int MAX_ADDRESSES = 10_000;

	static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final int limit;

	private final LongSupplier nanoClock;

	private final ConcurrentMap<Object, Window> windows = new ConcurrentHashMap<>();

	/** The allowance shared by addresses that found the table full. */
	private final AtomicReference<@Nullable Window> overflow = new AtomicReference<>();

	private final AtomicLong nextPruneNanos;

	FailedAttempts(int limit) {
		this(limit, System::nanoTime);
	}

	FailedAttempts(int limit, LongSupplier nanoClock) {
		this.limit = limit;
		this.nanoClock = nanoClock;
		this.nextPruneNanos = new AtomicLong(nanoClock.getAsLong());
	}

	/** How long the address must wait before it may try again: zero when it may now. */
	long retryAfterNanos(Object address) {
		Window window = this.windows.get(address);
		if (window == null && this.windows.size() >= MAX_ADDRESSES) {
			window = this.overflow.get();
		}
		long now = this.nanoClock.getAsLong();
		if (window == null || window.failures < this.limit || now - window.start >= WINDOW_NANOS) {
			return 0;
		}
		return window.start + WINDOW_NANOS - now;
	}

	/** Counts a failed attempt of the address (or one that has not succeeded yet). */
	void failed(Object address) {
		long now = this.nanoClock.getAsLong();
		if (!this.windows.containsKey(address) && this.windows.size() >= MAX_ADDRESSES) {
			prune(now);
			if (this.windows.size() >= MAX_ADDRESSES) {
				this.overflow.updateAndGet((window) -> next(window, now));
				return;
			}
		}
		this.windows.compute(address, (key, window) -> next(window, now));
	}

	/** Takes back an attempt of the address counted by {@link #failed} that then succeeded. */
	void succeeded(Object address) {
		this.windows.computeIfPresent(address,
				(key, window) -> new Window(window.start, Math.max(0, window.failures - 1)));
	}

	/** Addresses tracked now. */
	int size() {
		return this.windows.size();
	}

	private static Window next(@Nullable Window window, long now) {
		return (window == null || now - window.start >= WINDOW_NANOS) ? new Window(now, 1)
				: new Window(window.start, window.failures + 1);
	}

	/** Forgets the windows that ended; at most once a second, since it walks the whole table. */
	private void prune(long now) {
		long next = this.nextPruneNanos.get();
		if (now - next >= 0 && this.nextPruneNanos.compareAndSet(next, now + TimeUnit.SECONDS.toNanos(1))) {
			this.windows.values().removeIf((window) -> now - window.start >= WINDOW_NANOS);
		}
	}

	private record Window(long start, int failures) {
	}

}
