package dev.warp.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

import dev.warp.edge.EdgeNode;
import dev.warp.edge.EdgeSettings;
import dev.warp.edge.routing.ConnectionStatus;
import dev.warp.edge.routing.HostnamePool;
import dev.warp.edge.tunnel.TunnelConnection;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.FileSystemUtils;

/**
 * A real Warp edge running in the test JVM, serving the application under test: the bean that
 * {@link AutoConfigureWarpEdge} adds to the test's application context.
 *
 * <p>Requests sent with {@link #webTestClient()} (or any client sent to {@link #baseUrl()} with
 * {@code Host: }{@link #hostname()}) take the production path: visitor → edge → tunnel →
 * the application's handler chain. For resilience tests the edge can
 * {@linkplain #cutTunnelConnections() cut} the tunnel connections, {@linkplain #drain() drain}
 * them, {@linkplain #stop() stop} and {@linkplain #start() start} again on the same ports; its
 * view of the application's connections is {@link #connections()}. A test that stops the edge
 * should start it again: the edge is shared by every test class that uses the same context.
 */
public final class WarpTestEdge implements AutoCloseable {

	private static final String LOOPBACK = "127.0.0.1";

	/** How long a fault takes effect at most: a connection closes, or turns to draining. */
	private static final Duration ACTION_TIMEOUT = Duration.ofSeconds(10);

	private final String hostname;

	private final Path dataDir;

	private final Path credentialsDir;

	private final EdgeSettings settings;

	private volatile @Nullable EdgeNode node;

	private final LoopResources clientLoops = LoopResources.create("warp-test-visitor", 1, true);

	private final ConnectionProvider clientConnections = ConnectionProvider.create("warp-test-visitor", 64);

	private @Nullable WebTestClient webTestClient;

	private WarpTestEdge(String hostname, Path dataDir, Path credentialsDir, EdgeNode node) {
		this.hostname = hostname;
		this.dataDir = dataDir;
		this.credentialsDir = credentialsDir;
		this.node = node;
		// A restart binds the ports of the first start, where the application's tunnel dials.
		this.settings = onLoopback(dataDir).publicPort(node.publicPort())
			.tunnelPort(node.tunnelPort())
			.apiPort(node.apiPort())
			.provisioningPort(node.provisioningPort())
			.build();
	}

	/**
	 * Starts an edge in new temporary directories for an application served at {@code hostname}.
	 * @throws IllegalStateException naming what failed when the edge cannot start
	 */
	static WarpTestEdge start(String hostname, int publicPort) {
		Path dataDir = null;
		Path credentialsDir = null;
		try {
			dataDir = Files.createTempDirectory("warp-test-edge-");
			credentialsDir = Files.createTempDirectory("warp-test-credentials-");
			EdgeNode node = EdgeNode.start(onLoopback(dataDir).publicPort(publicPort).build());
			return new WarpTestEdge(hostname, dataDir, credentialsDir, node);
		}
		catch (IOException | RuntimeException ex) {
			if (dataDir != null) {
				delete(dataDir);
			}
			if (credentialsDir != null) {
				delete(credentialsDir);
			}
			throw new IllegalStateException("@AutoConfigureWarpEdge could not start the embedded Warp edge for "
					+ hostname + ": " + ex.getMessage() + ". It binds 127.0.0.1 on free ports"
					+ ((publicPort != 0) ? " and on port " + publicPort + " (" + WarpEdgeContextCustomizer.PUBLIC_PORT_PROPERTY
							+ ") for visitors: free that port or choose another" : "")
					+ ", and keeps its CA in a temporary directory (java.io.tmpdir).", ex);
		}
	}

	private static EdgeSettings.Builder onLoopback(Path dataDir) {
		return EdgeSettings.builder()
			.nodeId("warp-test-edge")
			.bindAddress(LOOPBACK)
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(dataDir);
	}

	/**
	 * What points the application's tunnel at this edge: its hostname, the tunnel listener, the
	 * edge's CA, an account token for the hostname created as {@code token create} does, the
	 * provisioning API and an empty credentials directory, so that the application obtains its
	 * origin certificate as in production.
	 */
	Map<String, Object> applicationProperties(Duration waitForEdge) {
		EdgeNode edge = Objects.requireNonNull(this.node, "the edge is stopped");
		return Map.of("warp.enabled", "true", "warp.hostname", this.hostname, "warp.edge.addresses",
				LOOPBACK + ":" + edge.tunnelPort(), "warp.edge.ca-certificate", edge.caCertificateFile().toString(),
				"warp.edge.provisioning-url", "https://" + LOOPBACK + ":" + edge.provisioningPort(), "warp.token",
				edge.tokens().create(List.of(this.hostname)).secret(), "warp.credentials-dir",
				this.credentialsDir.toString(), "warp.startup.wait-for-edge", waitForEdge.toMillis() + "ms");
	}

	/** The hostname the application is served at: its {@code warp.hostname}, or one generated for the test. */
	public String hostname() {
		return this.hostname;
	}

	/** The port of the edge's public listener (HTTP/1.1 and h2c), on 127.0.0.1. */
	public int publicPort() {
		return this.settings.publicPort();
	}

	/**
	 * The edge's public listener, {@code http://127.0.0.1:port}. The edge routes by host: a
	 * client sends {@code Host: }{@link #hostname()} (WebSocket clients and {@code HttpClient}
	 * take it as a header; a browser maps the hostname to 127.0.0.1).
	 */
	public String baseUrl() {
		return "http://" + LOOPBACK + ":" + publicPort();
	}

	/**
	 * A {@link WebTestClient} bound to the edge's public listener that sends
	 * {@code Host: }{@link #hostname()}: each request goes visitor → edge → tunnel → application.
	 * Use {@code mutate()} to change its settings.
	 */
	public synchronized WebTestClient webTestClient() {
		WebTestClient client = this.webTestClient;
		if (client == null) {
			HttpClient httpClient = HttpClient.create(this.clientConnections).runOn(this.clientLoops);
			client = WebTestClient.bindToServer(new ReactorClientHttpConnector(httpClient))
				.baseUrl(baseUrl())
				.defaultHeader(HttpHeaders.HOST, this.hostname)
				.responseTimeout(Duration.ofSeconds(30))
				.build();
			this.webTestClient = client;
		}
		return client;
	}

	/** The edge's view of the application's tunnel connections: empty while none is registered. */
	public List<ConnectionStatus> connections() {
		EdgeNode edge = this.node;
		return (edge != null) ? edge.routeTable().snapshot().getOrDefault(this.hostname, List.of()) : List.of();
	}

	/**
	 * Cuts every tunnel connection of the application at once, as a network failure would:
	 * requests in flight fail, and the application reconnects. Returns once the edge no longer
	 * sends requests to any of them, so that {@link #awaitServed()} then waits for new ones.
	 * @return how many connections were cut
	 */
	public int cutTunnelConnections() {
		List<TunnelConnection> connections = tunnelConnections();
		connections.forEach(TunnelConnection::close);
		awaitUnavailable(connections);
		return connections.size();
	}

	/**
	 * Drains every tunnel connection of the application, as an edge that shuts down does: no new
	 * requests on them, and the application opens replacements before it lets them go. Returns
	 * once the edge no longer sends requests to any of them.
	 * @return how many connections were asked to drain
	 */
	public int drain() {
		List<TunnelConnection> connections = tunnelConnections();
		connections.forEach((connection) -> connection.drainByEdge("the test drains the edge"));
		awaitUnavailable(connections);
		return connections.size();
	}

	private void awaitUnavailable(List<TunnelConnection> connections) {
		if (!await(() -> connections.stream().noneMatch(TunnelConnection::isAvailable), ACTION_TIMEOUT)) {
			throw new IllegalStateException("The embedded Warp edge still sends requests to " + connections + " after "
					+ ACTION_TIMEOUT.toSeconds() + " s");
		}
	}

	private List<TunnelConnection> tunnelConnections() {
		EdgeNode edge = this.node;
		HostnamePool pool = (edge != null) ? edge.routeTable().pool(this.hostname) : null;
		return (pool != null) ? List.copyOf(pool.connections()) : List.of();
	}

	/** Stops the edge: every listener and connection closes, the application's tunnel retries. */
	public synchronized void stop() {
		EdgeNode edge = this.node;
		this.node = null;
		if (edge != null) {
			edge.close();
		}
	}

	/**
	 * Starts the stopped edge again on the same ports, with the same CA and tokens: the
	 * application reconnects with the credentials it has.
	 * @throws IllegalStateException when a port was taken in the meantime
	 */
	public synchronized void start() {
		if (this.node == null) {
			this.node = EdgeNode.start(this.settings);
		}
	}

	/** {@link #stop() Stops} the edge and {@link #start() starts} it again. */
	public void restart() {
		stop();
		start();
	}

	/** Whether the edge is running. */
	public boolean isRunning() {
		return this.node != null;
	}

	/**
	 * Waits until the application's hostname is served through the edge: at least one of its
	 * tunnel connections is registered and takes requests.
	 * @throws IllegalStateException when it is not within {@code timeout}
	 */
	public void awaitServed(Duration timeout) {
		if (!await(this::isServed, timeout)) {
			throw new IllegalStateException("The application's hostname " + this.hostname
					+ " is not served through the embedded Warp edge after " + timeout.toMillis() + " ms (edge "
					+ (isRunning() ? "running" : "stopped") + ", connections " + connections()
					+ "). See the application's log for why its tunnel did not register.");
		}
	}

	/** Waits, at most 30 seconds, until the application's hostname is served through the edge. */
	public void awaitServed() {
		awaitServed(WarpEdgeContextCustomizer.SERVED_TIMEOUT);
	}

	/** Whether the condition held within the timeout, checked every 20 ms. */
	private static boolean await(BooleanSupplier condition, Duration timeout) {
		return Boolean.TRUE.equals(Flux.interval(Duration.ZERO, Duration.ofMillis(20))
			.map((tick) -> condition.getAsBoolean())
			.filter(Boolean::booleanValue)
			.next()
			.timeout(timeout, Mono.just(false))
			.block());
	}

	private boolean isServed() {
		EdgeNode edge = this.node;
		HostnamePool pool = (edge != null) ? edge.routeTable().pool(this.hostname) : null;
		return pool != null && pool.connections().stream().anyMatch(TunnelConnection::isAvailable);
	}

	/** The edge node itself, for what this class does not offer; {@code null} while stopped. */
	public @Nullable EdgeNode node() {
		return this.node;
	}

	/** Stops the edge and deletes its temporary directories; the application context does this when it closes. */
	@Override
	public void close() {
		stop();
		this.clientConnections.dispose();
		this.clientLoops.dispose();
		delete(this.dataDir);
		delete(this.credentialsDir);
	}

	private static void delete(Path dir) {
		try {
			FileSystemUtils.deleteRecursively(dir);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public String toString() {
		return "WarpTestEdge[" + this.hostname + " at " + baseUrl() + ", " + (isRunning() ? "running" : "stopped") + "]";
	}

}
