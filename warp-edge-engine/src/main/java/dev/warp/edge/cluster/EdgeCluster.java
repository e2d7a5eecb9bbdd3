package dev.warp.edge.cluster;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.warp.edge.EdgeSettings;
import dev.warp.edge.pki.EdgeCredentials;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.tunnel.TunnelConnection;
import dev.warp.edge.tunnel.TunnelConnectionListener;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * This node's membership of a cluster: the shared route table in Redis, its leases there, the
 * directory of the other nodes' routes, and the TLS of edge-to-edge connections.
 *
 * <p>As the {@link TunnelConnectionListener} of the tunnel listener it keeps both tables in step:
 * a registration goes into this node's route table, then into the shared one.
 *
 * <pre>
 * EdgeCluster cluster = EdgeCluster.connect(settings, credentials, routes);  // Redis, certificates
 * // bind the peer listener with cluster.tls(), then:
 * cluster.join(peerPort);                                                    // lease written, renewed
 * // bind the tunnel listener with cluster as its listener; forward with cluster.directory()
 * cluster.close();                                                           // lease and routes removed
 * </pre>
 */
public final class EdgeCluster implements TunnelConnectionListener, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(EdgeCluster.class);

	/** The longest {@link #join} and {@link #close} wait for Redis. */
	private static final Duration REDIS_WAIT = Duration.ofSeconds(5);

	private final EdgeSettings settings;

	private final EdgeRouteTable routes;

	private final RedisRouteTable table;

	private final PeerTls tls;

	private final PeerDirectory directory;

	private volatile @Nullable NodeLease lease;

	private EdgeCluster(EdgeSettings settings, EdgeRouteTable routes, RedisRouteTable table, PeerTls tls) {
		this.settings = settings;
		this.routes = routes;
		this.table = table;
		this.tls = tls;
		this.directory = new PeerDirectory(table, settings.nodeId(), PeerDirectory.MAX_AGE);
	}

	/**
	 * Connects to the cluster's Redis and issues this node's peer certificates; the node is not a
	 * member until {@link #join}.
	 * @param settings the node's settings, with {@link EdgeSettings#clusterRedisUrl()} set
	 * @param credentials the node's credentials: the cluster's shared CA
	 * @param routes this node's own route table
	 * @throws IllegalStateException when Redis cannot be reached
	 */
	public static EdgeCluster connect(EdgeSettings settings, EdgeCredentials credentials, EdgeRouteTable routes) {
		String redisUrl = Objects.requireNonNull(settings.clusterRedisUrl(), "settings.clusterRedisUrl()");
		Set<String> names = new LinkedHashSet<>(settings.tunnelCertificateNames());
		names.add(settings.clusterAdvertisedHost());
		PeerTls tls = PeerTls.issue(credentials, settings.nodeId(), names);
		RedisRouteTable table = RedisRouteTable.connect(redisUrl, "warp-edge:" + settings.nodeId(),
				commandTimeout(settings.clusterLeaseTtl()));
		return new EdgeCluster(settings, routes, table, tls);
	}

	/**
	 * Writes this node's lease, naming its peer listener, and keeps it and the node's routes
	 * renewed until {@link #close}.
	 * @param peerPort the port of the node's peer listener, as bound
	 * @throws IllegalStateException when Redis does not answer, or the cluster has another CA
	 */
	public void join(int peerPort) {
		NodeLease joining = new NodeLease(this.table, this.settings.nodeId(),
				Peer.address(this.settings.clusterAdvertisedHost(), peerPort), this.settings.clusterLeaseTtl(),
				this.tls.caFingerprint(), this::servedHostnames);
		joining.join(REDIS_WAIT);
		this.lease = joining;
	}

	/** The TLS of edge-to-edge connections. */
	public PeerTls tls() {
		return this.tls;
	}

	/** Which other nodes serve a hostname. */
	public PeerDirectory directory() {
		return this.directory;
	}

	/** Every node of the cluster, this one included, with the hostnames it serves; fails when Redis cannot answer. */
	public Mono<List<ClusterNode>> nodes() {
		return this.table.nodes();
	}

	/** {@code host:port} of the cluster's Redis server. */
	public String redisServer() {
		return this.table.server();
	}

	@Override
	public @Nullable String registered(TunnelConnection connection) {
		String refusal = this.routes.registered(connection);
		if (refusal != null) {
			return refusal;
		}
		NodeLease current = this.lease;
		String hostname = connection.hostname();
		if (current == null || hostname == null) {
			return null;
		}
		if (this.settings.sharedHostnames().contains(hostname)) {
			current.publish(hostname);
			return null;
		}
		// The other nodes' agents own hostnames too: the connection takes no request before the
		// cluster's owner of the hostname is known to be its account.
		connection.holdUntilAdmitted();
		this.table.claimOwner(hostname, connection.account(), this.settings.clusterLeaseTtl())
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.subscribe((owner) -> {
				if (owner.isPresent()) {
					connection.refuseLater(EdgeRouteTable.servedByAnotherAccount(hostname, connection));
				}
				else {
					connection.admit();
					current.publish(hostname);
				}
			}, (ex) -> {
				// Without Redis the node cannot tell; it serves as a node alone would.
				logger.warn("Edge node {}: cannot check in Redis which account owns {} ({}); admitting the tunnel "
						+ "connection on this node's own knowledge", this.settings.nodeId(), hostname, ex.getMessage());
				connection.admit();
				current.publish(hostname);
			});
		return null;
	}

	@Override
	public void unregistered(TunnelConnection connection) {
		this.routes.unregistered(connection);
		NodeLease current = this.lease;
		String hostname = connection.hostname();
		if (current != null && hostname != null && this.routes.select(hostname) == null) {
			current.withdraw(hostname);
		}
	}

	/**
	 * The hostnames this node can take new requests for: at least one of their connections is
	 * available. A hostname whose connections all drain leaves the shared table at the next
	 * renewal, so that other nodes stop forwarding its requests here.
	 */
	private Set<String> servedHostnames() {
		Set<String> served = new HashSet<>();
		for (String hostname : this.routes.hostnames()) {
			if (this.routes.select(hostname) != null) {
				served.add(hostname);
			}
		}
		return served;
	}

	/** Removes this node's lease and routes from Redis (they would expire anyway), then disconnects. */
	@Override
	public void close() {
		NodeLease current = this.lease;
		this.lease = null;
		try {
			if (current != null) {
				current.leave(REDIS_WAIT);
			}
		}
		finally {
			this.table.close();
		}
	}

	/** A Redis command may take a third of the lease TTL, within a quarter second and two seconds. */
	static Duration commandTimeout(Duration leaseTtl) {
		Duration third = leaseTtl.dividedBy(3);
		Duration floor = Duration.ofMillis(250);
		Duration ceiling = Duration.ofSeconds(2);
		return (third.compareTo(floor) < 0) ? floor : (third.compareTo(ceiling) > 0) ? ceiling : third;
	}

}
