package dev.warp.edge.limit;

import java.lang.management.ManagementFactory;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts connections held at once, in total and per client ({@link ClientAddress}), and refuses
 * one more over either limit. The map of clients holds only those with a connection held: an
 * entry goes when its count drops to 0, so it never outgrows the total limit. Thread-safe and
 * lock-free but for one map bin per client, so event loops can call it.
 */
public final class ConnectionLimit {

	/** What {@link #acquire} decided. */
	public enum Verdict {

		/** Counted: release it once. */
		ADMITTED,

		/** Refused: the total limit is held. */
		OVER_TOTAL,

		/** Refused: the client's own limit is held. */
		OVER_CLIENT

	}

	private final int max;

	private final int maxPerClient;

	private final AtomicInteger held = new AtomicInteger();

	private final ConcurrentHashMap<Object, Integer> perClient = new ConcurrentHashMap<>();

	private final AtomicLong refusedOverTotal = new AtomicLong();

	private final AtomicLong refusedOverClient = new AtomicLong();

	/**
	 * @param max connections held at once in total, at least 1
	 * @param maxPerClient connections one client may hold at once, at least 1
	 */
	public ConnectionLimit(int max, int maxPerClient) {
		if (max < 1 || maxPerClient < 1) {
			throw new IllegalArgumentException(
					"Connection limits must be at least 1, were " + max + " in total and " + maxPerClient + " per client");
		}
		this.max = max;
		this.maxPerClient = maxPerClient;
	}

	/**
	 * Counts one more connection of the client at {@code remote} unless a limit is held.
	 * @return {@link Verdict#ADMITTED} when counted; then {@link #release} it exactly once
	 */
	public Verdict acquire(SocketAddress remote) {
		if (this.held.incrementAndGet() > this.max) {
			this.held.decrementAndGet();
			this.refusedOverTotal.incrementAndGet();
			return Verdict.OVER_TOTAL;
		}
		boolean[] admitted = new boolean[1];
		this.perClient.compute(ClientAddress.of(remote), (client, count) -> {
			int now = (count != null) ? count : 0;
			if (now >= this.maxPerClient) {
				return count;
			}
			admitted[0] = true;
			return now + 1;
		});
		if (!admitted[0]) {
			this.held.decrementAndGet();
			this.refusedOverClient.incrementAndGet();
			return Verdict.OVER_CLIENT;
		}
		return Verdict.ADMITTED;
	}

	/** Gives back a connection {@link #acquire} admitted. */
	public void release(SocketAddress remote) {
		this.perClient.computeIfPresent(ClientAddress.of(remote), (client, count) -> (count > 1) ? count - 1 : null);
		this.held.decrementAndGet();
	}

	/** The connections held now. */
	public int held() {
		return this.held.get();
	}

	/** The clients that hold a connection now: the size of the map. */
	public int clients() {
		return this.perClient.size();
	}

	/** The connections refused because the total limit was held, so far. */
	public long refusedOverTotal() {
		return this.refusedOverTotal.get();
	}

	/** The connections refused because their client's limit was held, so far. */
	public long refusedOverClient() {
		return this.refusedOverClient.get();
	}

	/**
	 * The share {@code numerator / denominator} of the process's file-descriptor limit, at least
	 * 1 and at most {@code most}; {@code most} where the JVM cannot tell the limit.
	 */
	public static int shareOfFileDescriptors(int numerator, int denominator, int most) {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
				&& unix.getMaxFileDescriptorCount() > 0) {
			return (int) Math.max(1, Math.min(most, unix.getMaxFileDescriptorCount() / denominator * numerator));
		}
		return most;
	}

}
