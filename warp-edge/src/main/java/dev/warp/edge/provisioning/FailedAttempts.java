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
 * Failed provisioning attempts per client address, so that nobody can try tokens faster than an
 * application ever needs: an address that failed {@code limit} times within a minute is refused
 * until that minute is over, without its tokens being checked. Memory is bounded: at most
 * {@link #MAX_ADDRESSES} addresses are tracked, each one minute; should more fail within a minute
 * (an attack from many addresses), the addresses beyond them share one allowance.
 */
final class FailedAttempts {

	/** Addresses tracked at most: about a megabyte. */
	static final int MAX_ADDRESSES = 10_000;

	static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final int limit;

	private final LongSupplier nanoClock;

	private final ConcurrentMap<InetAddress, Window> windows = new ConcurrentHashMap<>();

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
	long retryAfterNanos(InetAddress address) {
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

	/** Counts a failed attempt of the address. */
	void failed(InetAddress address) {
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
