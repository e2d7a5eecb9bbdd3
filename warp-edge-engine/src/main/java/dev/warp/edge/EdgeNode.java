package dev.warp.edge;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.warp.core.token.CaPin;
import dev.warp.core.token.ConnectorToken;
import dev.warp.edge.acme.AcmeCertificates;
import dev.warp.edge.acme.AcmeRegistrations;
import dev.warp.edge.acme.AcmeStartup;
import dev.warp.edge.api.ApiListener;
import dev.warp.edge.metrics.EdgeMetrics;
import dev.warp.edge.pki.EdgeCredentials;
import dev.warp.edge.pki.PublicCertificates;
import dev.warp.edge.provisioning.AdvertisedEdge;
import dev.warp.edge.provisioning.OriginCertificateIssuer;
import dev.warp.edge.provisioning.ProvisioningListener;
import dev.warp.edge.provisioning.RevokedCertificates;
import dev.warp.edge.provisioning.TokenStore;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.tunnel.TunnelConnection;
import dev.warp.edge.tunnel.TunnelConnectionListener;
import dev.warp.edge.tunnel.TunnelHandshakeLimit;
import dev.warp.edge.tunnel.TunnelListener;
import dev.warp.edge.visitor.PublicListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.resources.LoopResources;

/**
 * One edge node: the tunnel listener agents dial, the public listener visitors reach, the API
 * listener, and the route table between them. Embeddable: {@link #start(EdgeSettings)} binds
 * everything and returns; {@link #close()} releases everything.
 *
 * <pre>
 * try (EdgeNode edge = EdgeNode.start(EdgeSettings.builder().publicPort(0).tunnelPort(0).apiPort(0).build())) {
 *     // agents trust edge.caCertificateFile() and dial edge.tunnelPort()
 * }
 * </pre>
 */
public final class EdgeNode implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(EdgeNode.class);

	/** The longest {@link #close()} waits for each part to stop. */
	private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

	private final EdgeSettings settings;

	private final EdgeCredentials credentials;

	private final EdgeRouteTable routeTable;

	private final LoopResources loops;

	private final TunnelListener tunnelListener;

	private final PublicListener publicListener;

	private final ApiListener apiListener;

	private final EdgeMetrics metrics;

	private @Nullable Provisioning provisioning;

	/** Membership of a cluster, or {@code null} for a node that stands alone. */
	private @Nullable ClusterParts cluster;

	/** Certificates from an ACME CA, or {@code null} without ACME. */
	private @Nullable AcmeCertificates acme;

	private final AtomicBoolean closed = new AtomicBoolean();

	private EdgeNode(EdgeSettings settings, EdgeCredentials credentials, EdgeRouteTable routeTable, LoopResources loops,
			TunnelListener tunnelListener, PublicListener publicListener, ApiListener apiListener, EdgeMetrics metrics) {
		this.settings = settings;
		this.credentials = credentials;
		this.routeTable = routeTable;
		this.loops = loops;
		this.tunnelListener = tunnelListener;
		this.publicListener = publicListener;
		this.apiListener = apiListener;
		this.metrics = metrics;
	}

	/**
	 * Starts a node: loads or creates its CA and tunnel certificate, then binds its listeners.
	 * @throws IllegalStateException when a listener cannot bind (nothing stays open then)
	 */
	public static EdgeNode start(EdgeSettings settings) {
		return start(settings, null);
	}

	/**
	 * Starts a node whose meters go to a given registry, the embedding application's, say.
	 * @param registry where the node's meters go; {@code null} for a Prometheus registry of the
	 * node's own, which the API listener serves at {@code GET /metrics}
	 * @throws IllegalStateException when a listener cannot bind (nothing stays open then)
	 * @see #start(EdgeSettings)
	 */
	public static EdgeNode start(EdgeSettings settings, @Nullable MeterRegistry registry) {
		String nodeId = settings.nodeId();
		EdgeCredentials credentials = EdgeCredentials.loadOrCreate(settings.dataDir(), settings.tunnelCertificateNames());
		EdgeRouteTable routeTable = new EdgeRouteTable(settings.sharedHostnames());
		TokenStore tokens = new TokenStore(settings.dataDir());
		RevokedCertificates revocations = new RevokedCertificates(settings.dataDir());
		LoopResources loops = LoopResources.create("warp-edge", LoopResources.DEFAULT_IO_WORKER_COUNT, true);
		Deque<Runnable> undo = new ArrayDeque<>();
		undo.push(() -> disposeLoops(loops));
		EdgeMetrics metrics = EdgeMetrics.create(nodeId, routeTable, registry);
		undo.push(metrics::close);
		try {
			ClusterParts cluster = (settings.clusterRedisUrl() != null)
					? ClusterParts.start(settings, credentials, routeTable, loops, CLOSE_TIMEOUT) : null;
			if (cluster != null) {
				undo.push(() -> cluster.close(CLOSE_TIMEOUT));
			}
			// In a cluster, registrations reach the shared route table too.
			TunnelHandshakeLimit handshakes = new TunnelHandshakeLimit(settings.maxTunnelHandshakes(),
					settings.maxTunnelHandshakesPerAddress());
			metrics.connections("warp.edge.tunnel.handshakes",
					"Tunnel connections of this edge node in their TLS handshake (not yet authenticated)", handshakes,
					TunnelHandshakeLimit::handshakes);
			metrics.refusedConnections("warp.edge.tunnel.connections.refused", "max-handshakes",
					"Tunnel connections closed as soon as accepted: edge.tunnel.max-handshakes were in their handshake",
					handshakes, TunnelHandshakeLimit::refusedOverTotal);
			metrics.refusedConnections("warp.edge.tunnel.connections.refused", "max-handshakes-per-address",
					"Tunnel connections closed as soon as accepted: edge.tunnel.max-handshakes-per-address were in their "
							+ "handshake from their address",
					handshakes, TunnelHandshakeLimit::refusedOverAddress);
			AcmeCertificates acme = AcmeStartup.start(settings, tokens::zones, metrics.registry());
			if (acme != null) {
				undo.push(acme::close);
			}
			TunnelConnectionListener routing = (cluster != null) ? cluster.membership() : routeTable;
			TunnelListener tunnel = TunnelListener.bind(settings, credentials, revocations,
					metrics.observing((acme != null) ? new AcmeRegistrations(routing, acme) : routing), handshakes, loops);
			undo.push(() -> tunnel.close(CLOSE_TIMEOUT));
			PublicCertificates publicCertificate = (settings.publicTls() != null)
					? PublicCertificates.of(settings.publicTls(), credentials.authority(), tokens::zones, acme) : null;
			PublicListener visitors = PublicListener.bind(settings, routeTable,
					(cluster != null) ? cluster.forwarder() : null, metrics, publicCertificate, loops);
			undo.push(() -> visitors.close(CLOSE_TIMEOUT));
			ApiListener api = ApiListener.bind(nodeId, settings.apiAddress(), settings.apiPort(), routeTable, metrics,
					(acme != null) ? acme::status : null, (cluster != null) ? cluster.membership() : null, loops);
			undo.push(() -> api.close(CLOSE_TIMEOUT));
			ProvisioningListener provisioningListener = ProvisioningListener.bind(settings.bindAddress(),
					settings.provisioning(), credentials, new OriginCertificateIssuer(tokens, credentials.authority(),
							settings.provisioning().certificateLifetime()), metrics, loops);
			EdgeNode node = new EdgeNode(settings, credentials, routeTable, loops, tunnel, visitors, api, metrics);
			node.provisioning = new Provisioning(provisioningListener, tokens, revocations);
			node.acme = acme;
			logger.info("Edge node {}: public listener on {}", nodeId, format(visitors.address(), settings));
			InetSocketAddress tlsAddress = visitors.tlsAddress();
			if (tlsAddress != null) {
				logger.info("Edge node {}: public TLS listener on {} ({})", nodeId, format(tlsAddress, settings),
						(settings.publicTls().certificateFile() != null)
								? "certificate " + settings.publicTls().certificateFile() + " for " + publicCertificate.names()
								: "certificate of the edge's CA for " + publicCertificate.names()
										+ ", re-issued when a new token adds a zone");
			}
			logger.info("Edge node {}: tunnel listener on {} (agents trust {})", nodeId, format(tunnel.address(), settings),
					credentials.caCertificateFile());
			logger.info("Edge node {}: API listener on {}", nodeId, format(api.address(), settings.apiAddress()));
			logger.info("Edge node {}: provisioning API (HTTPS) on {}, origin certificates valid {}", nodeId,
					format(provisioningListener.address(), settings), settings.provisioning().certificateLifetime());
			logger.info("Edge node {}: connector tokens tell agents to dial {}, to provision at {} and to trust the CA {}",
					nodeId, node.advertised().tunnelAddresses(), node.advertised().provisioningUrl(),
					CaPin.of(credentials.authority().certificate()));
			if (cluster != null) {
				node.cluster = cluster;
				logger.info("Edge node {}: peer listener on {}, advertised as {}:{} in the cluster's route table in Redis "
						+ "at {} (lease TTL {} ms)", nodeId, format(cluster.peerAddress(), settings),
						settings.clusterAdvertisedHost(), cluster.peerAddress().getPort(),
						cluster.membership().redisServer(), settings.clusterLeaseTtl().toMillis());
			}
			return node;
		}
		catch (RuntimeException ex) {
			undo.forEach(EdgeNode::quietly);
			throw (ex instanceof IllegalStateException) ? ex
					: new IllegalStateException("Edge node " + nodeId + " cannot start: " + ex.getMessage(), ex);
		}
	}

	/** The certificates from the ACME CA, or {@code null} when the node has no ACME CA. */
	public @Nullable AcmeCertificates acme() {
		return this.acme;
	}

	/** The node's id. */
	public String nodeId() {
		return this.settings.nodeId();
	}

	/** The settings the node started with. */
	public EdgeSettings settings() {
		return this.settings;
	}

	/** The port visitors reach, as bound. */
	public int publicPort() {
		return this.publicListener.address().getPort();
	}

	/**
	 * The port of the TLS public listener, as bound.
	 * @throws IllegalStateException when the node has none ({@code edge.public.tls.port})
	 */
	public int publicTlsPort() {
		InetSocketAddress address = this.publicListener.tlsAddress();
		if (address == null) {
			throw new IllegalStateException("Edge node " + nodeId() + " has no TLS public listener (edge.public.tls.port)");
		}
		return address.getPort();
	}

	/** The port agents dial, as bound. */
	public int tunnelPort() {
		return this.tunnelListener.address().getPort();
	}

	/** The port of the status API, as bound. */
	public int apiPort() {
		return this.apiListener.address().getPort();
	}

	/** The port of the provisioning API (HTTPS), as bound. */
	public int provisioningPort() {
		return provisioningParts().listener().address().getPort();
	}

	/** The account tokens agents obtain origin certificates with. */
	public TokenStore tokens() {
		return provisioningParts().tokens();
	}

	/** How agents reach this node, as its connector tokens tell them: configured, else localhost and the bound ports. */
	public AdvertisedEdge advertised() {
		return AdvertisedEdge.of(this.settings, tunnelPort(), provisioningPort());
	}

	/**
	 * Creates an account token for some zones and returns it as a connector token, which names
	 * this node's {@link #advertised() addresses} and pins its CA: all an agent needs.
	 */
	public ConnectorToken createConnectorToken(List<String> zones) {
		return advertised().token(tokens().create(zones), this.credentials.authority().certificate());
	}

	/** The revoked origin certificates. */
	public RevokedCertificates revocations() {
		return provisioningParts().revocations();
	}

	private Provisioning provisioningParts() {
		Provisioning parts = this.provisioning;
		if (parts == null) {
			throw new IllegalStateException("Edge node " + nodeId() + " is not started");
		}
		return parts;
	}

	/** The CA certificate ({@code ca.pem} in the data directory) agents must trust. */
	public Path caCertificateFile() {
		return this.credentials.caCertificateFile();
	}

	/** Where the node's meters are: its own Prometheus registry unless it was given one. */
	public MeterRegistry meterRegistry() {
		return this.metrics.registry();
	}

	/** The route table: hostname to tunnel connections. */
	public EdgeRouteTable routeTable() {
		return this.routeTable;
	}

	/**
	 * Shuts down without cutting requests: asks every agent to move its connections elsewhere
	 * ({@code drain}: agents open a replacement connection before they let this one go), waits
	 * for the tunnel connections to close, at most {@code timeout}, then {@link #close() closes}.
	 */
	public void shutdownGracefully(Duration timeout) {
		if (this.closed.get()) {
			return;
		}
		Collection<TunnelConnection> connections = this.tunnelListener.connections();
		logger.info("Edge node {} draining {} tunnel connection(s) for at most {} ms", nodeId(), connections.size(),
				timeout.toMillis());
		connections.forEach((connection) -> connection.drainByEdge("the edge node is shutting down"));
		long deadline = System.nanoTime() + timeout.toNanos();
		for (TunnelConnection connection : connections) {
			long left = deadline - System.nanoTime();
			if (left > 0) {
				connection.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS);
			}
		}
		close();
	}

	/**
	 * The port of the peer listener, where other nodes of the cluster forward requests, as bound.
	 * @throws IllegalStateException when the node stands alone
	 */
	public int peerPort() {
		ClusterParts parts = this.cluster;
		if (parts == null) {
			throw new IllegalStateException("Edge node " + nodeId() + " is not part of a cluster (edge.cluster.redis-url)");
		}
		return parts.peerAddress().getPort();
	}

	/** Stops every listener, closes every tunnel connection and waits, for a bounded time, until they are. */
	@Override
	public void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		quietly(() -> this.publicListener.close(CLOSE_TIMEOUT));
		ClusterParts parts = this.cluster;
		if (parts != null) {
			quietly(() -> parts.close(CLOSE_TIMEOUT));
		}
		quietly(() -> this.apiListener.close(CLOSE_TIMEOUT));
		Provisioning provisioningParts = this.provisioning;
		if (provisioningParts != null) {
			quietly(() -> provisioningParts.listener().close(CLOSE_TIMEOUT));
		}
		AcmeCertificates certificates = this.acme;
		if (certificates != null) {
			quietly(certificates::close);
		}
		int connections = this.tunnelListener.connections().size();
		quietly(() -> this.tunnelListener.close(CLOSE_TIMEOUT));
		quietly(() -> disposeLoops(this.loops));
		quietly(this.metrics::close);
		logger.info("Edge node {} stopped ({} tunnel connections closed)", nodeId(), connections);
	}

	private static void disposeLoops(LoopResources loops) {
		loops.disposeLater(Duration.ZERO, CLOSE_TIMEOUT).block(CLOSE_TIMEOUT.plusSeconds(1));
	}

	private static void quietly(Runnable action) {
		try {
			action.run();
		}
		catch (RuntimeException ex) {
			logger.warn("Edge node shutdown step failed: {}", ex.getMessage(), ex);
		}
	}

	private static String format(InetSocketAddress address, EdgeSettings settings) {
		return format(address, settings.bindAddress());
	}

	private static String format(InetSocketAddress address, String configured) {
		// A wildcard address reads better as configured (0.0.0.0) than as the socket reports it (::).
		String host = (address.getAddress() == null || address.getAddress().isAnyLocalAddress()) ? configured
				: address.getAddress().getHostAddress();
		return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
	}

	private record Provisioning(ProvisioningListener listener, TokenStore tokens, RevokedCertificates revocations) {
	}

	@Override
	public String toString() {
		return "EdgeNode[" + nodeId() + ", public " + publicPort() + ", tunnel " + tunnelPort() + ", api " + apiPort()
				+ ", " + this.tunnelListener.connections().size() + " tunnel connections]";
	}

}
