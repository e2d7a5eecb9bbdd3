package dev.warp.edge.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Which other nodes of the cluster serve a hostname: the shared route table, read through a
 * short-lived cache so that the visitors' hot path does not ask Redis per request. An answer is
 * used for {@link #MAX_AGE} at most, so a route that appeared or went away elsewhere is seen
 * within about a second; concurrent requests for a hostname share one lookup.
 */
public final class PeerDirectory {

	/** How long a lookup answers for its hostname. */
	static final Duration MAX_AGE = Duration.ofSeconds(1);

	/** Entries kept before expired ones are dropped: visitors choose Host headers freely. */
	private static final int PRUNE_ABOVE = 10_000;

	private final RedisRouteTable table;

	private final String nodeId;

	private final long maxAgeNanos;

	private final ConcurrentMap<String, Lookup> cache = new ConcurrentHashMap<>();

	PeerDirectory(RedisRouteTable table, String nodeId, Duration maxAge) {
		this.table = table;
		this.nodeId = nodeId;
		this.maxAgeNanos = maxAge.toNanos();
	}

	/**
	 * The other live nodes with a tunnel connection for a hostname; empty when none has. Fails
	 * when Redis cannot answer.
	 * @param hostname a normalized hostname
	 */
	public Mono<List<Peer>> peers(String hostname) {
		long now = System.nanoTime();
		Lookup cached = this.cache.get(hostname);
		if (cached != null && now - cached.startedAt < this.maxAgeNanos) {
			return cached.peers;
		}
		Lookup fresh = this.cache.compute(hostname,
				(name, current) -> (current != null && now - current.startedAt < this.maxAgeNanos) ? current
						: lookup(name, now));
		if (this.cache.size() > PRUNE_ABOVE) {
			prune(now);
		}
		return fresh.peers;
	}

	/**
	 * The other live nodes with a tunnel connection for a hostname, when a recent lookup answered
	 * it; {@code null} when {@link #peers} has to ask.
	 */
	public @Nullable List<Peer> known(String hostname) {
		Lookup cached = this.cache.get(hostname);
		return (cached != null && System.nanoTime() - cached.startedAt < this.maxAgeNanos) ? cached.found : null;
	}

	/** Drops what is known about a hostname: the next request looks it up again. */
	public void forget(String hostname) {
		this.cache.remove(hostname);
	}

	private Lookup lookup(String hostname, long now) {
		Lookup[] self = new Lookup[1];
		Mono<List<Peer>> peers = this.table.lookup(hostname)
			.map((found) -> found.stream().filter((peer) -> !peer.nodeId().equals(this.nodeId)).toList())
			.doOnNext((found) -> self[0].found = found)
			// A failure is not kept: the next request asks again.
			.doOnError((ex) -> this.cache.remove(hostname, self[0]))
			.cache();
		self[0] = new Lookup(now, peers);
		return self[0];
	}

	private void prune(long now) {
		this.cache.values().removeIf((lookup) -> now - lookup.startedAt >= this.maxAgeNanos);
		if (this.cache.size() > PRUNE_ABOVE) {
			this.cache.clear();
		}
	}

	private static final class Lookup {

		final long startedAt;

		final Mono<List<Peer>> peers;

		/** The answer, once it came: read without Reactor by the requests that follow. */
		volatile @Nullable List<Peer> found;

		Lookup(long startedAt, Mono<List<Peer>> peers) {
			this.startedAt = startedAt;
			this.peers = peers;
		}

	}

}
