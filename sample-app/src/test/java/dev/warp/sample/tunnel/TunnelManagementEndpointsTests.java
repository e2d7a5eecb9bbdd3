package dev.warp.sample.tunnel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.warp.agent.ReconnectReason;
import dev.warp.agent.WarpTunnel;
import dev.warp.edge.EdgeNode;
import dev.warp.edge.routing.HostnamePool;
import dev.warp.edge.tunnel.TunnelConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's management endpoints (Actuator) are not served through the tunnel unless
 * {@code warp.management.exposed} says so, and the {@code warp} endpoint's write operations never
 * are: a visitor can neither read the application's health details and metrics nor take it off its
 * tunnel, whichever way it spells the path. The application's own port serves them as before.
 */
class TunnelManagementEndpointsTests {

	static final String HOST = "a.warp.test";

	/** Another tenant on the same edge, probed while the first one is attacked. */
	static final String OTHER_HOST = "b.warp.test";

	@TempDir
	static Path dir;

	static EdgeNode edge;

	static ConfigurableApplicationContext app;

	static ConfigurableApplicationContext other;

	/**
	 * Applications with settings of one test's own, closed with the others: closing a context
	 * disposes Reactor Netty's global resources, and with them the other applications' own ports.
	 */
	static final List<ConfigurableApplicationContext> configured = new ArrayList<>();

	@BeforeAll
	static void start() {
		edge = TunnelTestSupport.startEdge(dir.resolve("edge"));
		app = TunnelTestSupport.startApp(edge, HOST);
		other = TunnelTestSupport.startApp(edge, OTHER_HOST);
	}

	@AfterAll
	static void stop() {
		List<AutoCloseable> apps = new ArrayList<>(configured);
		apps.addAll(List.of(other, app, edge));
		TunnelTestSupport.close(apps.toArray(AutoCloseable[]::new));
	}

	@ParameterizedTest
	@ValueSource(strings = { "/actuator", "/actuator/health", "/actuator/health/readiness", "/actuator/prometheus",
			"/actuator/metrics", "/actuator/warp" })
	void managementEndpointsAre404ThroughTheTunnelAndServedOnTheAppsOwnPort(String path) {
		assertAbsent(tunneled(HOST, "GET", path));
		assertThat(direct(app, "GET", path).status()).isEqualTo(200);
	}

	@Test
	void drainAndReconnectThroughTheTunnelAre404AndTheTunnelStaysUp() {
		TunnelConnection before = onlyConnection(HOST);
		assertAbsent(tunneled(HOST, "POST", "/actuator/warp/drain"));
		assertThat(tunneled(OTHER_HOST, "GET", "/hello").status()).isEqualTo(200);
		assertAbsent(tunneled(HOST, "POST", "/actuator/warp/reconnect"));
		assertStillServed(app, HOST, before, "/hello");
		assertThat(tunneled(OTHER_HOST, "GET", "/hello").status()).isEqualTo(200);
	}

	@ParameterizedTest
	@CsvSource({ "GET, //actuator/health", "GET, /actuator//health", "GET, /actuator/health/", "GET, /actuator/",
			"GET, /%61ctuator/health", "GET, /actuator/%68ealth", "GET, /actuator;x=1/health", "GET, /actuator/health;x=1",
			"GET, /actuator%3Bx/health", "GET, /actuator%2Fhealth", "GET, /ACTUATOR/health", "GET, /Actuator/Health",
			"GET, /actuator/./health", "GET, /actuator/../actuator/health", "GET, /hello/../actuator/health",
			"GET, /actuator/prometheus?format=text", "HEAD, /actuator/health", "POST, /actuator/warp/drain/",
			"POST, //actuator//warp//drain", "POST, /%61ctuator/warp/drain", "POST, /actuator/warp/%64rain",
			"POST, /actuator;a=b/warp;c=d/drain", "POST, /actuator/./warp/drain", "POST, /ACTUATOR/WARP/DRAIN",
			"PUT, /actuator/warp/drain" })
	void pathTricksAre404Too(String method, String target) {
		TunnelConnection before = onlyConnection(HOST);
		assertAbsent(tunneled(HOST, method, target));
		assertStillServed(app, HOST, before, "/hello");
	}

	@Test
	void exposedEndpointsAreServedButNeverTheWarpEndpointsWriteOperations() {
		String host = "exposed.warp.test";
		ConfigurableApplicationContext exposed = startApp(host, "--warp.management.exposed=true");
		TunnelConnection before = onlyConnection(host);
		Response health = tunneled(host, "GET", "/actuator/health");
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.body()).contains("\"status\":\"UP\"");
		assertThat(tunneled(host, "GET", "/actuator/warp").status()).isEqualTo(200);
		for (String target : List.of("/actuator/warp/drain", "/actuator/warp/reconnect", "/actuator/warp/drain/",
				"/%61ctuator/warp/drain", "/actuator;x=1/warp/drain", "//actuator/warp/%64rain")) {
			Response refused = tunneled(host, "POST", target);
			assertThat(refused.status()).as(target).isEqualTo(403);
			assertThat(refused.body()).as(target).contains("use the application's own port");
		}
		assertThat(tunneled(host, "DELETE", "/actuator/warp").status()).isEqualTo(403);
		assertStillServed(exposed, host, before, "/hello");
		assertThat(direct(exposed, "POST", "/actuator/warp/reconnect").status()).isEqualTo(200);
	}

	@Test
	void customBasePathsAreFollowed() {
		String host = "paths.warp.test";
		ConfigurableApplicationContext paths = startApp(host, "--spring.webflux.base-path=/app",
				"--management.endpoints.web.base-path=/manage", "--management.server.base-path=/ignored");
		TunnelConnection before = onlyConnection(host);
		assertAbsent(tunneled(host, "GET", "/app/manage/health"));
		assertAbsent(tunneled(host, "GET", "/app/%6Danage/prometheus"));
		assertAbsent(tunneled(host, "GET", "/app//manage/warp"));
		assertAbsent(tunneled(host, "POST", "/app/manage/warp/drain"));
		assertStillServed(paths, host, before, "/app/hello");
		assertThat(direct(paths, "GET", "/app/manage/health").status()).isEqualTo(200);
	}

	@Test
	void endpointsAtTheRootAreEachHidden() {
		String host = "root.warp.test";
		ConfigurableApplicationContext root = startApp(host, "--management.endpoints.web.base-path=/");
		TunnelConnection before = onlyConnection(host);
		assertAbsent(tunneled(host, "GET", "/health"));
		assertAbsent(tunneled(host, "GET", "/%70rometheus"));
		assertAbsent(tunneled(host, "POST", "/warp/drain"));
		assertThat(tunneled(host, "GET", "/api/info").status()).isEqualTo(200);
		assertStillServed(root, host, before, "/hello");
		assertThat(direct(root, "GET", "/health").status()).isEqualTo(200);
	}

	@Test
	void managementOnItsOwnPortIsNotInTheTunnel() {
		String host = "port.warp.test";
		ConfigurableApplicationContext separate = startApp(host, "--management.server.port=0",
				"--management.endpoint.health.probes.add-additional-paths=true");
		TunnelConnection before = onlyConnection(host);
		assertThat(tunneled(host, "GET", "/actuator/health").status()).isEqualTo(404);
		assertThat(tunneled(host, "POST", "/actuator/warp/drain").status()).isEqualTo(404);
		// The health groups' additional paths stay on the server's port: hidden from the tunnel.
		assertAbsent(tunneled(host, "GET", "/livez"));
		assertAbsent(tunneled(host, "GET", "/readyz"));
		assertStillServed(separate, host, before, "/hello");
		assertThat(direct(separate, "GET", "/livez").status()).isEqualTo(200);
		int managementPort = Integer.parseInt(separate.getEnvironment().getProperty("local.management.port"));
		assertThat(exchange(managementPort, "localhost", "GET", "/actuator/health").status()).isEqualTo(200);
	}

	private static ConfigurableApplicationContext startApp(String host, String... args) {
		ConfigurableApplicationContext started = TunnelTestSupport.startApp(edge, host, args);
		configured.add(started);
		return started;
	}

	/** What a request for nothing at all gets: 404, and not a word about what is there. */
	private static void assertAbsent(Response response) {
		assertThat(response.status()).as(response.toString()).isEqualTo(404);
		assertThat(response.body()).as(response.toString()).isEmpty();
	}

	/** The application is still on its tunnel, on the connection it had, and serves visitors. */
	private static void assertStillServed(ConfigurableApplicationContext app, String host, TunnelConnection before,
			String helloPath) {
		WarpTunnel tunnel = app.getBean(WarpTunnel.class);
		assertThat(tunnel.isRunning()).isTrue();
		assertThat(tunnel.isAcceptingTraffic()).isTrue();
		assertThat(tunnel.statistics().reconnects(ReconnectReason.REQUESTED)).isZero();
		assertThat(connections(host)).containsExactly(before);
		Response hello = tunneled(host, "GET", helloPath);
		assertThat(hello.status()).isEqualTo(200);
		assertThat(hello.body()).endsWith("hello");
	}

	private static TunnelConnection onlyConnection(String host) {
		List<TunnelConnection> connections = connections(host);
		assertThat(connections).hasSize(1);
		return connections.get(0);
	}

	private static List<TunnelConnection> connections(String host) {
		HostnamePool pool = edge.routeTable().pool(host);
		return (pool != null) ? pool.connections() : List.of();
	}

	private static Response tunneled(String host, String method, String target) {
		return exchange(edge.publicPort(), host, method, target);
	}

	private static Response direct(ConfigurableApplicationContext app, String method, String target) {
		return exchange(((WebServerApplicationContext) app).getWebServer().getPort(), "localhost", method, target);
	}

	/** One request as written, the target byte for byte: no client normalizes it on the way. */
	private static Response exchange(int port, String host, String method, String target) {
		try {
			String response = RawVisitor.exchange(port, method + " " + target + " HTTP/1.1\r\nHost: " + host
					+ "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
			int headEnd = response.indexOf("\r\n\r\n");
			return new Response(method + " " + target, Integer.parseInt(response.substring(9, 12)),
					(headEnd >= 0) ? response.substring(headEnd + 4) : "");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	record Response(String request, int status, String body) {

	}

}
