package dev.warp.edge.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import dev.warp.edge.tunnel.ConnectionHealth;
import dev.warp.edge.tunnel.TunnelConnection;
import org.jspecify.annotations.Nullable;

/**
 * The tunnel connections that serve one hostname: every replica that registered it, each with
 * its connections. Immutable: the route table swaps in a new pool on every change, so that
 * selecting a connection for a request takes no lock.
 *
 * <p>Selection is by load and latency, with the power of two choices: of two available
 * connections, the one with the lower {@linkplain #cost cost} takes the request, where the cost
 * grows with the requests in flight on the connection, its round-trip time and its recent error
 * rate. A replica that is slow to answer keeps more requests in flight, so it gets fewer new
 * ones; a replica far away or failing gets fewer too. The first of the two is taken in turn (the
 * rotation is shared by every version of a hostname's pool) and the second at random, so equally
 * loaded connections share requests evenly.
 */
public final class HostnamePool {

	/**
	 * Round trips shorter than this count as equal: within one network their differences are
	 * noise, not distance.
	 */
	static final long RTT_FLOOR_NANOS = 1_000_000;

	/** How much the recent error rate weighs: a connection failing every request costs this much more, plus one. */
	static final double ERROR_PENALTY = 10;

	/**
	 * How much costlier than the chosen connection the replica's connection on the caller's event
	 * loop may be and still take the request. Under load the in-flight counts of a replica's
	 * connections swing by that much from moment to moment (one loop's visitors all waiting for
	 * answers while another's are all between requests), and a hop to another thread and back
	 * costs more than such an imbalance; a connection that is really stuck keeps growing past it.
	 * Measured at 64 visitor connections on 2 cores: a margin of 2 still sent enough requests
	 * across to cost 6-10 % of the throughput against 8.
	 */
	static final double LOCAL_MARGIN = 8;

	private final String hostname;

	private final List<TunnelConnection> connections;

	private final AtomicInteger next;

	private HostnamePool(String hostname, List<TunnelConnection> connections, AtomicInteger next) {
		this.hostname = hostname;
		this.connections = connections;
		this.next = next;
	}

	static HostnamePool empty(String hostname) {
		return new HostnamePool(hostname, List.of(), new AtomicInteger());
	}

	public String hostname() {
		return this.hostname;
	}

	/**
	 * The account whose agents serve the hostname: that of its oldest connection (all of them
	 * but for a hostname that accounts share).
	 */
	public String account() {
		return this.connections.get(0).account();
	}

	/** Every connection in the pool, available or not. */
	public List<TunnelConnection> connections() {
		return this.connections;
	}

	/**
	 * The connection for a new request, or {@code null} when none is available: every
	 * connection is draining, closed, or its application refuses traffic.
	 */
	public @Nullable TunnelConnection select() {
		List<TunnelConnection> candidates = this.connections;
		int size = candidates.size();
		if (size == 0) {
			return null;
		}
		// Usually every connection is available: choose among them without copying the list.
		List<TunnelConnection> available = candidates;
		for (TunnelConnection connection : candidates) {
			if (!connection.isAvailable()) {
				available = candidates.stream().filter(TunnelConnection::isAvailable).toList();
				break;
			}
		}
		TunnelConnection chosen = PowerOfTwoChoices.choose(available, HostnamePool::cost, this.next.getAndIncrement(),
				ThreadLocalRandom.current());
		return (chosen != null) ? onCurrentEventLoop(chosen, available) : null;
	}

	/**
	 * The chosen connection, or a connection of the same replica that runs on the calling
	 * thread's event loop and costs at most {@link #LOCAL_MARGIN} times as much: the request then
	 * needs no hop to another thread and back. Only the replica's own connections qualify, so the
	 * choice between replicas stays the power of two choices'.
	 */
	private static TunnelConnection onCurrentEventLoop(TunnelConnection chosen, List<TunnelConnection> available) {
		String agent = chosen.agentId();
		if (agent == null || chosen.isOnCurrentEventLoop()) {
			return chosen;
		}
		double limit = LOCAL_MARGIN * replicaCost(chosen);
		for (TunnelConnection connection : available) {
			if (connection != chosen && connection.isOnCurrentEventLoop() && agent.equals(connection.agentId())
					&& replicaCost(connection) <= limit) {
				return connection;
			}
		}
		return chosen;
	}

	/**
	 * The cost of one more request on a connection, compared with the other connections of the
	 * same replica: its round trip left out, since they all lead to the same process by the same
	 * path. Their heartbeats' round trips differ only by how busy each event loop was when it
	 * was measured, and counting that sent a visitor's requests to another loop for minutes.
	 */
	private static double replicaCost(TunnelConnection connection) {
		return cost(connection.activeStreams(), RTT_FLOOR_NANOS, connection.health().errorRate());
	}

	/** The cost of sending one more request to a connection; lower is better. */
	static double cost(TunnelConnection connection) {
		ConnectionHealth health = connection.health();
		return cost(connection.activeStreams(), (long) health.rttNanos(), health.errorRate());
	}

	/**
	 * The cost of sending one more request to a connection: the requests it would then have in
	 * flight, times its round-trip time (at least {@link #RTT_FLOOR_NANOS}; a connection not
	 * measured yet counts as near), times a penalty for its recent error rate.
	 * @param activeStreams requests in flight on it now
	 * @param rttNanos its last measured round-trip time, {@code -1} when not measured yet
	 * @param errorRate its recent share of failed requests, 0 to 1
	 */
	static double cost(int activeStreams, long rttNanos, double errorRate) {
		return (activeStreams + 1.0) * Math.max(rttNanos, RTT_FLOOR_NANOS) * (1 + ERROR_PENALTY * errorRate);
	}

	HostnamePool with(TunnelConnection connection) {
		if (this.connections.contains(connection)) {
			return this;
		}
		List<TunnelConnection> copy = new ArrayList<>(this.connections.size() + 1);
		copy.addAll(this.connections);
		copy.add(connection);
		return new HostnamePool(this.hostname, List.copyOf(copy), this.next);
	}

	/** The pool without the connection; {@code null} when nothing is left. */
	@Nullable HostnamePool without(TunnelConnection connection) {
		if (!this.connections.contains(connection)) {
			return this;
		}
		List<TunnelConnection> copy = new ArrayList<>(this.connections);
		copy.remove(connection);
		return copy.isEmpty() ? null : new HostnamePool(this.hostname, List.copyOf(copy), this.next);
	}

}
