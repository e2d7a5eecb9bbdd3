package dev.warp.edge.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * This node's leases in the shared route table: its own, naming its peer listener, and one
 * route entry per hostname it has tunnel connections for. Every third of the TTL it renews them
 * all, withdraws entries of hostnames it no longer serves, and sweeps expired entries of every
 * node: a node that died without cleaning up is out of the table within the TTL plus one renewal
 * interval.
 *
 * <p>Nothing here blocks but {@link #join} and {@link #leave}: registrations call
 * {@link #publish} and {@link #withdraw} on tunnel event loops.
 */
final class NodeLease {

	private static final Logger logger = LoggerFactory.getLogger(NodeLease.class);

	private final RedisRouteTable table;

	private final String nodeId;

	private final String peerAddress;

	private final Duration ttl;

	private final String caFingerprint;

	private final Supplier<Set<String>> localHostnames;

	/** Hostnames with an entry of this node, as far as this node knows. */
	private final Set<String> published = ConcurrentHashMap.newKeySet();

	private volatile @Nullable Disposable renewals;

	private volatile boolean left;

	/** Whether the last renewal failed: an outage is logged once, and its end once. */
	private volatile boolean failing;

	/**
	 * @param localHostnames the hostnames this node takes new requests for, right now
	 */
	NodeLease(RedisRouteTable table, String nodeId, String peerAddress, Duration ttl, String caFingerprint,
			Supplier<Set<String>> localHostnames) {
		this.table = table;
		this.nodeId = nodeId;
		this.peerAddress = peerAddress;
		this.ttl = ttl;
		this.caFingerprint = caFingerprint;
		this.localHostnames = localHostnames;
	}

	/** How often leases are renewed: a third of the TTL, so that two renewals may fail in a row. */
	Duration renewInterval() {
		return this.ttl.dividedBy(3);
	}

	/**
	 * Writes this node's lease and its routes, then renews them in the background.
	 * @throws IllegalStateException when the cluster has another CA, or Redis does not answer
	 * within {@code timeout}
	 */
	void join(Duration timeout) {
		String clusterCa;
		try {
			String held = this.table.nodeLease(this.nodeId).block(timeout);
			if (held != null && !held.equals(this.peerAddress)) {
				logger.warn("Edge node {}: a lease of node id {} for {} is still in Redis: another node uses this id, or "
						+ "this node restarted within the lease TTL. Node ids must be unique in a cluster", this.nodeId,
						this.nodeId, held);
			}
			clusterCa = this.table.renewNode(this.nodeId, this.peerAddress, this.ttl, this.caFingerprint).block(timeout);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("Edge node " + this.nodeId + " cannot write its lease to Redis at "
					+ this.table.server() + ": " + ex.getMessage(), ex);
		}
		if (clusterCa != null) {
			throw new IllegalStateException(differentCa(clusterCa));
		}
		this.renewals = Flux.interval(renewInterval(), renewInterval(), Schedulers.parallel())
			.onBackpressureDrop()
			.concatMap((tick) -> renew(), 1)
			.subscribe();
	}

	/** A hostname got its first tunnel connection here: routes it to this node at once. */
	void publish(String hostname) {
		if (this.left) {
			return;
		}
		this.published.add(hostname);
		this.table.publishRoute(hostname, this.nodeId, this.ttl)
			.subscribe(null, (ex) -> logger.warn("Edge node {}: cannot publish the route of {} to Redis ({}); retrying "
					+ "within {} ms", this.nodeId, hostname, ex.getMessage(), renewInterval().toMillis()));
	}

	/**
	 * A hostname lost its last tunnel connection here: withdraws its route, unless a connection
	 * registered again meanwhile (then the route is published again).
	 */
	void withdraw(String hostname) {
		if (this.left) {
			return;
		}
		this.published.remove(hostname);
		this.table.withdrawRoute(hostname, this.nodeId).then(Mono.defer(() -> {
			if (this.localHostnames.get().contains(hostname) && !this.left) {
				this.published.add(hostname);
				return this.table.publishRoute(hostname, this.nodeId, this.ttl);
			}
			return Mono.empty();
		})).subscribe(null, (ex) -> logger.warn("Edge node {}: cannot withdraw the route of {} from Redis ({}); it "
				+ "expires within {} ms", this.nodeId, hostname, ex.getMessage(), this.ttl.toMillis()));
	}

	/** Stops renewing and removes this node's lease and routes, waiting at most {@code timeout}. */
	void leave(Duration timeout) {
		this.left = true;
		Disposable running = this.renewals;
		if (running != null) {
			running.dispose();
		}
		try {
			this.table.leave(this.nodeId, List.copyOf(this.published)).block(timeout);
		}
		catch (RuntimeException ex) {
			logger.warn("Edge node {}: cannot remove its lease from Redis ({}); it expires within {} ms", this.nodeId,
					ex.getMessage(), this.ttl.toMillis());
		}
	}

	private Mono<Void> renew() {
		Set<String> local = Set.copyOf(this.localHostnames.get());
		Flux<Void> stale = Flux.fromIterable(List.copyOf(this.published))
			.filter((hostname) -> !local.contains(hostname))
			.flatMap((hostname) -> {
				this.published.remove(hostname);
				return this.table.withdrawRoute(hostname, this.nodeId);
			});
		Flux<Void> current = Flux.fromIterable(local).flatMap((hostname) -> {
			this.published.add(hostname);
			return this.table.publishRoute(hostname, this.nodeId, this.ttl);
		});
		return this.table.renewNode(this.nodeId, this.peerAddress, this.ttl, this.caFingerprint)
			.doOnNext((clusterCa) -> logger.error(differentCa(clusterCa)))
			.then(Flux.concat(current, stale).then())
			.then(this.table.sweep())
			.doOnNext((removed) -> {
				if (removed > 0) {
					logger.info("Edge node {}: removed {} expired route entries of other nodes", this.nodeId, removed);
				}
			})
			.then()
			.doOnSuccess((done) -> recovered())
			.onErrorResume((ex) -> {
				failed(ex);
				return Mono.empty();
			});
	}

	private void failed(Throwable ex) {
		if (!this.failing) {
			this.failing = true;
			logger.warn("Edge node {}: cannot renew its leases in Redis at {} ({}); its routes expire within {} ms "
					+ "unless Redis answers again", this.nodeId, this.table.server(), ex.getMessage(), this.ttl.toMillis());
		}
	}

	private void recovered() {
		if (this.failing) {
			this.failing = false;
			logger.info("Edge node {}: leases renewed in Redis at {} again", this.nodeId, this.table.server());
		}
	}

	private String differentCa(String clusterCa) {
		return "Edge node " + this.nodeId + " cannot join the cluster in Redis at " + this.table.server()
				+ ": its CA (SHA-256 " + abbreviate(this.caFingerprint) + ") is not the cluster's (SHA-256 "
				+ abbreviate(clusterCa) + "). Every node of a cluster shares one CA: copy ca.pem and ca-key.pem from "
				+ "the data directory of a running node into this node's, then start it again";
	}

	private static String abbreviate(String fingerprint) {
		return (fingerprint.length() > 16) ? fingerprint.substring(0, 16) + "..." : fingerprint;
	}

}
