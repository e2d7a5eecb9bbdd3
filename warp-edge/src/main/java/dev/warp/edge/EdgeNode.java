package dev.warp.edge;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.warp.edge.api.ApiListener;
import dev.warp.edge.ingress.PublicListener;
import dev.warp.edge.pki.EdgeCredentials;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.tunnel.TunnelListener;
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

	private final AtomicBoolean closed = new AtomicBoolean();

	private EdgeNode(EdgeSettings settings, EdgeCredentials credentials, EdgeRouteTable routeTable, LoopResources loops,
			TunnelListener tunnelListener, PublicListener publicListener, ApiListener apiListener) {
		this.settings = settings;
		this.credentials = credentials;
		this.routeTable = routeTable;
		this.loops = loops;
		this.tunnelListener = tunnelListener;
		this.publicListener = publicListener;
		this.apiListener = apiListener;
	}

	/**
	 * Starts a node: loads or creates its CA and tunnel certificate, then binds its listeners.
	 * @throws IllegalStateException when a listener cannot bind (nothing stays open then)
	 */
	public static EdgeNode start(EdgeSettings settings) {
		String nodeId = settings.nodeId();
		EdgeCredentials credentials = EdgeCredentials.loadOrCreate(settings.dataDir(), settings.tunnelCertificateNames());
		EdgeRouteTable routeTable = new EdgeRouteTable();
		LoopResources loops = LoopResources.create("warp-edge", LoopResources.DEFAULT_IO_WORKER_COUNT, true);
		Deque<Runnable> undo = new ArrayDeque<>();
		undo.push(() -> disposeLoops(loops));
		try {
			TunnelListener tunnel = TunnelListener.bind(settings, credentials, routeTable, loops);
			undo.push(() -> tunnel.close(CLOSE_TIMEOUT));
			PublicListener visitors = PublicListener.bind(nodeId, settings.bindAddress(), settings.publicPort(),
					routeTable, settings.responseTimeout(), loops);
			undo.push(() -> visitors.close(CLOSE_TIMEOUT));
			ApiListener api = ApiListener.bind(nodeId, settings.bindAddress(), settings.apiPort(), routeTable, loops);
			EdgeNode node = new EdgeNode(settings, credentials, routeTable, loops, tunnel, visitors, api);
			logger.info("Edge node {}: public listener on {}", nodeId, format(visitors.address(), settings));
			logger.info("Edge node {}: tunnel listener on {} (agents trust {})", nodeId, format(tunnel.address(), settings),
					credentials.caCertificateFile());
			logger.info("Edge node {}: API listener on {}", nodeId, format(api.address(), settings));
			return node;
		}
		catch (RuntimeException ex) {
			undo.forEach(EdgeNode::quietly);
			throw (ex instanceof IllegalStateException) ? ex
					: new IllegalStateException("Edge node " + nodeId + " cannot start: " + ex.getMessage(), ex);
		}
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

	/** The port agents dial, as bound. */
	public int tunnelPort() {
		return this.tunnelListener.address().getPort();
	}

	/** The port of the status API, as bound. */
	public int apiPort() {
		return this.apiListener.address().getPort();
	}

	/** The CA certificate ({@code ca.pem} in the data directory) agents must trust. */
	public Path caCertificateFile() {
		return this.credentials.caCertificateFile();
	}

	/** The route table: hostname to tunnel connections. */
	public EdgeRouteTable routeTable() {
		return this.routeTable;
	}

	/** Stops every listener, closes every tunnel connection and waits, for a bounded time, until they are. */
	@Override
	public void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		quietly(() -> this.publicListener.close(CLOSE_TIMEOUT));
		quietly(() -> this.apiListener.close(CLOSE_TIMEOUT));
		int connections = this.tunnelListener.connections().size();
		quietly(() -> this.tunnelListener.close(CLOSE_TIMEOUT));
		quietly(() -> disposeLoops(this.loops));
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
		// A wildcard address reads better as configured (0.0.0.0) than as the socket reports it (::).
		String host = (address.getAddress() == null || address.getAddress().isAnyLocalAddress()) ? settings.bindAddress()
				: address.getAddress().getHostAddress();
		return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
	}

	@Override
	public String toString() {
		return "EdgeNode[" + nodeId() + ", public " + publicPort() + ", tunnel " + tunnelPort() + ", api " + apiPort()
				+ ", " + this.tunnelListener.connections().size() + " tunnel connections]";
	}

}
