package dev.warp.edge.ingress;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the visitor connections open at once on an edge node's public listeners, cleartext and
 * TLS together. A connection over the cap is closed as soon as it is accepted. Without a cap, a
 * flood of visitors takes the process's file descriptors, which the tunnel and peer listeners
 * need too (agents could then not reconnect), and the memory each connection may hold (a
 * visitor who reads slowly holds up to a stream window of its response).
 */
public final class VisitorConnectionLimit {

	private static final Logger logger = LoggerFactory.getLogger(VisitorConnectionLimit.class);

	/** Refusals are logged once, then at most this often while they go on. */
	private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final int max;

	private final AtomicInteger open = new AtomicInteger();

	private final AtomicLong refused = new AtomicLong();

	private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

	private final AtomicLong refusedWhenLogged = new AtomicLong();

	/** @param max the visitor connections open at once, at least 1 */
	public VisitorConnectionLimit(int max) {
		if (max < 1) {
			throw new IllegalArgumentException("The visitor connection limit must be at least 1, was " + max);
		}
		this.max = max;
	}

	/**
	 * The default limit: nine tenths of the process's file-descriptor limit, leaving the rest to
	 * tunnel and peer connections, files and the JVM; no limit where the JVM cannot tell it.
	 */
	public static int defaultMax() {
		OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
		if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() > 0) {
			return (int) Math.max(1, Math.min(Integer.MAX_VALUE, unix.getMaxFileDescriptorCount() / 10 * 9));
		}
		return Integer.MAX_VALUE;
	}

	/**
	 * Counts a visitor connection just accepted until it closes, or closes it at once when the
	 * limit is reached.
	 * @return whether the connection was admitted
	 */
	boolean admit(Channel channel) {
		if (this.open.incrementAndGet() > this.max) {
			this.open.decrementAndGet();
			refusedOne();
			channel.close();
			return false;
		}
		channel.closeFuture().addListener((closed) -> this.open.decrementAndGet());
		return true;
	}

	private void refusedOne() {
		long total = this.refused.incrementAndGet();
		long now = System.nanoTime();
		long next = this.nextLogNanos.get();
		if (now - next >= 0 && this.nextLogNanos.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
			long since = total - this.refusedWhenLogged.getAndSet(total);
			logger.warn("Refused {} visitor connection(s) since the last report: {} are open, the limit "
					+ "(edge.public.max-connections). Those visitors were disconnected at once; if this is legitimate "
					+ "traffic, raise edge.public.max-connections and the process's file-descriptor limit. Further "
					+ "refusals are counted in warp.edge.public.connections.refused and reported here at most once a "
					+ "minute", since, this.max);
		}
	}

	/** The visitor connections open now. */
	public int open() {
		return this.open.get();
	}

	/** The visitor connections closed at once because the limit was reached, since the node started. */
	public long refused() {
		return this.refused.get();
	}

}
