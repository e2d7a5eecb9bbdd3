package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.warp.agent.WarpTunnel;
import dev.warp.edge.EdgeNode;
import dev.warp.edge.EdgeSettings;
import dev.warp.edge.tunnel.TunnelConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the application shows of its tunnel, end to end with the real edge: the {@code warp}
 * health component, the {@code warp.tunnel.*} meters under {@code /actuator/metrics} and in
 * Prometheus' format, and the {@code warp} endpoint with its reconnect operation.
 */
class TunnelObservabilityTests {

	static final String HOST = "obs.warp.test";

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private ConfigurableApplicationContext app;

	private WebTestClient actuator;

	@BeforeEach
	void start() {
		this.edge = TunnelTestSupport.startEdge(this.dataDir);
		this.app = TunnelTestSupport.startApp(this.edge, HOST, "--warp.heartbeat.interval=200ms");
		this.actuator = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.app.getEnvironment().getProperty("local.server.port") + "/actuator")
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

	@AfterEach
	void stop() {
		if (this.app != null) {
			this.app.close();
		}
		if (this.edge != null) {
			this.edge.close();
		}
	}

	@Test
	void healthIsUpWithEveryConnectionThenDownWithoutTheEdgeThenUpWhenItReturns() {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(connection(health(HttpStatus.OK)))
			.hasEntrySatisfying("rttMillis", (rtt) -> assertThat(((Number) rtt).doubleValue()).isPositive()));
		Map<String, Object> up = health(HttpStatus.OK);
		assertThat(up).containsOnlyKeys("status", "details").containsEntry("status", "UP");
		assertThat(details(up)).containsOnlyKeys("hostname", "desired", "connected", "distinctEdges", "acceptingTraffic",
				"connections")
			.containsEntry("hostname", HOST)
			.containsEntry("desired", 1)
			.containsEntry("connected", 1)
			.containsEntry("distinctEdges", 1)
			.containsEntry("acceptingTraffic", true);
		Map<String, Object> connection = connection(up);
		assertThat(connection).containsOnlyKeys("index", "edge", "edgeAddress", "state", "since", "rttMillis",
				"activeStreams", "lastError")
			.containsEntry("index", 0)
			.containsEntry("edge", "edge-test")
			.containsEntry("edgeAddress", "127.0.0.1:" + this.edge.tunnelPort())
			.containsEntry("state", "registered")
			.containsEntry("activeStreams", 0)
			.containsEntry("lastError", null);
		assertThat(Instant.parse((String) connection.get("since"))).isBeforeOrEqualTo(Instant.now());

		int tunnelPort = this.edge.tunnelPort();
		this.edge.close();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			Map<String, Object> down = health(HttpStatus.SERVICE_UNAVAILABLE);
			assertThat(down).containsEntry("status", "DOWN");
			assertThat(details(down)).containsEntry("connected", 0).containsEntry("distinctEdges", 0);
			assertThat(connection(down)).containsEntry("rttMillis", null)
				.hasEntrySatisfying("state", (state) -> assertThat(state).isIn("backoff", "connecting"))
				.hasEntrySatisfying("lastError", (error) -> assertThat(error).isNotNull());
		});

		this.edge = EdgeNode.start(EdgeSettings.builder()
			.nodeId("edge-test")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(tunnelPort)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(this.dataDir)
			.build());
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			Map<String, Object> again = health(HttpStatus.OK);
			assertThat(again).containsEntry("status", "UP");
			assertThat(connection(again)).containsEntry("state", "registered").containsEntry("lastError", null);
		});
	}

	@Test
	void readinessProbeIncludesTheTunnel() {
		this.actuator.get()
			.uri("/health/readiness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.components.warp.status")
			.isEqualTo("UP")
			.jsonPath("$.components.readinessState.status")
			.isEqualTo("UP");
	}

	@Test
	void everyTunnelMeterExistsAndMoves() {
		WebTestClient visitor = TunnelTestSupport.visitor(this.edge, HOST);
		for (int i = 0; i < 3; i++) {
			visitor.get().uri("/hello").exchange().expectStatus().isOk();
		}
		visitor.get().uri("/nowhere").exchange().expectStatus().isNotFound();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(measurement("warp.tunnel.requests?tag=status:200&tag=method:GET"
					+ "&tag=outcome:SUCCESS", "COUNT")).isEqualTo(3));
		assertThat(measurement("warp.tunnel.requests?tag=status:404", "COUNT")).isEqualTo(1);
		assertThat(measurement("warp.tunnel.requests?tag=status:404", "TOTAL_TIME")).isPositive();
		assertThat(measurement("warp.tunnel.connections?tag=state:registered", "VALUE")).isEqualTo(1);
		assertThat(measurement("warp.tunnel.connections?tag=state:backoff", "VALUE")).isZero();
		assertThat(measurement("warp.tunnel.bytes?tag=direction:received", "COUNT")).isPositive();
		assertThat(measurement("warp.tunnel.bytes?tag=direction:sent", "COUNT")).isPositive();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(measurement("warp.tunnel.rtt?tag=connection:0", "VALUE")).isPositive());

		assertThat(measurement("warp.tunnel.active.requests", "VALUE")).isZero();
		Disposable slow = TunnelTestSupport.visitorHttpClient(this.edge, 1)
			.headers((headers) -> headers.set("Host", HOST))
			.get()
			.uri("/slow?ms=5000")
			.response()
			.subscribe();
		try {
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(measurement("warp.tunnel.active.requests", "VALUE")).isEqualTo(1));
		}
		finally {
			slow.dispose();
		}

		assertThat(measurement("warp.tunnel.reconnects", "COUNT")).isZero();
		List<TunnelConnection> atTheEdge = this.edge.routeTable().pool(HOST).connections();
		atTheEdge.forEach(TunnelConnection::close);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(measurement("warp.tunnel.reconnects", "COUNT")).isEqualTo(1);
			assertThat(this.app.getBean(WarpTunnel.class).registeredConnections()).isEqualTo(1);
		});
	}

	@Test
	void prometheusShowsTheTunnelMeters() {
		TunnelTestSupport.visitor(this.edge, HOST).get().uri("/hello").exchange().expectStatus().isOk();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(prometheus())
			.contains("warp_tunnel_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\"} 1")
			.contains("warp_tunnel_connections{state=\"registered\"} 1")
			.contains("warp_tunnel_active_requests 0")
			.containsPattern("warp_tunnel_rtt_seconds\\{connection=\"0\"} [0-9.E-]+")
			.containsPattern("warp_tunnel_bytes_total\\{direction=\"received\"} [1-9]")
			.containsPattern("warp_tunnel_bytes_total\\{direction=\"sent\"} [1-9]")
			.contains("warp_tunnel_reconnects_total{reason=\"closed\"} 0")
			.contains("warp_tunnel_reconnects_total{reason=\"requested\"} 0"));
	}

	@Test
	void warpEndpointShowsTheStateAndItsReconnectOperationReconnects() {
		WarpTunnel tunnel = this.app.getBean(WarpTunnel.class);
		Map<String, Object> state = this.actuator.get()
			.uri("/warp")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JSON)
			.returnResult()
			.getResponseBody();
		assertThat(state).containsEntry("hostname", HOST)
			.containsEntry("agent", tunnel.settings().agentId())
			.containsEntry("running", true)
			.containsEntry("acceptingTraffic", true)
			.containsEntry("desired", 1)
			.containsEntry("connected", 1)
			.containsEntry("distinctEdges", 1)
			.containsEntry("edgeAddresses", List.of("127.0.0.1:" + this.edge.tunnelPort()))
			.containsKeys("connections", "requests", "bytes", "reconnects");
		assertThat(list(state.get("connections"))).singleElement()
			.satisfies((connection) -> assertThat(connection).containsEntry("edge", "edge-test")
				.containsEntry("state", "registered"));
		TunnelConnection before = this.edge.routeTable().pool(HOST).connections().get(0);

		this.actuator.post().uri("/warp/reconnect").exchange().expectStatus().isOk();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(tunnel.statistics().reconnects(dev.warp.agent.ReconnectReason.REQUESTED))
				.isEqualTo(1);
			assertThat(this.edge.routeTable().pool(HOST).connections()).singleElement().isNotSameAs(before);
			assertThat(tunnel.registeredConnections()).isEqualTo(1);
		});
		Map<String, Object> after = this.actuator.get().uri("/warp").exchange().expectBody(JSON).returnResult()
			.getResponseBody();
		assertThat(map(after.get("reconnects"))).containsEntry("requested", 1);
		TunnelTestSupport.visitor(this.edge, HOST).get().uri("/hello").exchange().expectStatus().isOk();

		this.actuator.post().uri("/warp/nonsense").exchange().expectStatus().isBadRequest();
	}

	private Map<String, Object> health(HttpStatus expected) {
		return this.actuator.get()
			.uri("/health/warp")
			.exchange()
			.expectStatus()
			.isEqualTo(expected)
			.expectBody(JSON)
			.returnResult()
			.getResponseBody();
	}

	private double measurement(String meter, String statistic) {
		Map<String, Object> body = this.actuator.get()
			.uri("/metrics/" + meter)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JSON)
			.returnResult()
			.getResponseBody();
		return list(body.get("measurements")).stream()
			.filter((measurement) -> statistic.equals(measurement.get("statistic")))
			.map((measurement) -> ((Number) measurement.get("value")).doubleValue())
			.findFirst()
			.orElseThrow(() -> new AssertionError("No " + statistic + " in " + body));
	}

	private String prometheus() {
		return this.actuator.get()
			.uri("/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
	}

	private static Map<String, Object> details(Map<String, Object> health) {
		return map(health.get("details"));
	}

	private static Map<String, Object> connection(Map<String, Object> health) {
		List<Map<String, Object>> connections = list(details(health).get("connections"));
		assertThat(connections).hasSize(1);
		return connections.get(0);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> list(Object value) {
		return (List<Map<String, Object>>) value;
	}

}
