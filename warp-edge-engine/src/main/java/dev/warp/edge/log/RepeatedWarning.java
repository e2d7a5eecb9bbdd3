package dev.warp.edge.log;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;

/**
 * One kind of warning that hostile or broken peers can cause many times a second (a TLS
 * handshake that fails, a protocol error, a refused connection): the first occurrence is
 * logged at once, later ones are counted and reported at most once per interval with the count
 * since the last report. Never a stack trace: a peer's protocol error is not the edge's bug.
 * Thread-safe and lock-free, so event loops can call it.
 */
public final class RepeatedWarning {

	/** The interval the edge uses for every kind of repeated warning. */
	public static final long DEFAULT_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final Logger logger;

	private final String kind;

	private final long intervalNanos;

	private final LongSupplier nanoClock;

	private final AtomicLong occurrences = new AtomicLong();

	private final AtomicLong reportedOccurrences = new AtomicLong();

	private final AtomicLong nextReportNanos;

	/**
	 * @param logger the logger the warning is written to
	 * @param kind what happened, in a few words, e.g. "TLS handshake(s) failed on the tunnel
	 * listener"; reported as "{count} {kind} …"
	 */
	public RepeatedWarning(Logger logger, String kind) {
		this(logger, kind, DEFAULT_INTERVAL_NANOS, System::nanoTime);
	}

	RepeatedWarning(Logger logger, String kind, long intervalNanos, LongSupplier nanoClock) {
		this.logger = logger;
		this.kind = kind;
		this.intervalNanos = intervalNanos;
		this.nanoClock = nanoClock;
		this.nextReportNanos = new AtomicLong(nanoClock.getAsLong());
	}

	/**
	 * Counts one occurrence and logs it when the interval since the last report has passed.
	 * @param detail what this occurrence was (escaped with {@link LogText} here), e.g. the
	 * peer's address and the error's message
	 * @return whether this call wrote a log line
	 */
	public boolean occurred(CharSequence detail) {
		long total = this.occurrences.incrementAndGet();
		long now = this.nanoClock.getAsLong();
		long next = this.nextReportNanos.get();
		if (now - next < 0 || !this.nextReportNanos.compareAndSet(next, now + this.intervalNanos)) {
			return false;
		}
		long since = total - this.reportedOccurrences.getAndSet(total);
		if (since <= 1) {
			this.logger.warn("{} {}: {}", since, this.kind, LogText.escape(detail));
		}
		else {
			this.logger.warn("{} {} since the last report (further ones are reported at most once a minute); "
					+ "the latest: {}", since, this.kind, LogText.escape(detail));
		}
		return true;
	}

	/** Every occurrence counted since this warning was created. */
	public long occurrences() {
		return this.occurrences.get();
	}

}
