package dev.warp.edge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.warp.core.protocol.ControlMessage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an edge node shows of itself: the status API with every hostname's replicas and
 * connections and their health, and its metrics in Prometheus' format.
 */
class EdgeObservabilityTests {

	private static final String HOST = "shop.example.test";

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private final List<TestAgent> agents = new ArrayList<>();

	@AfterEach
	void stop() {
		this.agents.forEach(TestAgent::close);
		if (this.edge != null) {
			this.edge.close();
		}
	}

	private EdgeNode startEdge(MeterRegistry registry) {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir)
			.heartbeat(Duration.ofMillis(100), 3)
			.build(), registry);
		return this.edge;
	}

	private TestAgent agent() throws Exception {
		TestAgent agent = TestAgent.connect(this.edge, HOST);
		this.agents.add(agent);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().pool(HOST) != null && this.edge
			.routeTable()
			.pool(HOST)
			.connections()
			.stream()
			.anyMatch((connection) -> agent.agentId.equals(connection.agentId())));
		return agent;
	}

	private String api(String path) {
		return HttpClient.create()
			.host("127.0.0.1")
			.port(this.edge.apiPort())
			.get()
			.uri(path)
			.responseSingle((response, body) -> body.asString()
				.map((text) -> response.status().code() + " " + response.responseHeaders().get("content-type") + "\n"
						+ text))
			.block(Visitor.TIMEOUT);
	}

	@Test
	void statusListsReplicasAndConnectionsWithTheirHealth() throws Exception {
		startEdge(null);
		TestAgent a = agent();
		TestAgent b = agent();
		b.awaitControlStream().send(ControlMessage.of(ControlMessage.NOT_READY));
		for (int i = 0; i < 3; i++) {
			assertThat(Visitor.get(this.edge, HOST, "/hello").status()).isEqualTo(200);
		}
		// The second heartbeat of each connection gives it a round-trip time.
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(api("/status")).doesNotContain("\"rttMillis\":null").contains("\"ready\":false"));
		String status = api("/status");
		assertThat(status).startsWith("200 application/json\n{\"node\":\"edge-test\",\"hostnames\":{\"" + HOST
				+ "\":{\"connections\":[{\"id\":\"edge-test-t");
		assertThat(status).contains("\"agent\":\"" + a.agentId + "\",\"agentConnection\":\"0\"")
			.containsPattern("\"state\":\"registered\",\"ready\":true,\"activeStreams\":0,\"since\":\"[^\"]+\","
					+ "\"rttMillis\":[0-9.]+,\"latencyMillis\":[0-9.]+,\"errorRate\":0,\"answered\":3,\"failed\":0}")
			.containsPattern("\"state\":\"registered\",\"ready\":false,\"activeStreams\":0,\"since\":\"[^\"]+\","
					+ "\"rttMillis\":[0-9.]+,\"latencyMillis\":null,\"errorRate\":0,\"answered\":0,\"failed\":0}")
			.contains("\"replicas\":[{\"agent\":\"" + a.agentId + "\",\"ready\":true,\"connections\":1,\"activeStreams\":0},"
					+ "{\"agent\":\"" + b.agentId + "\",\"ready\":false,\"connections\":1,\"activeStreams\":0}]");
	}

	@Test
	void metricsInPrometheusFormat() throws Exception {
		startEdge(null);
		TestAgent a = agent();
		for (int i = 0; i < 3; i++) {
			assertThat(Visitor.get(this.edge, HOST, "/hello").status()).isEqualTo(200);
		}
		assertThat(Visitor.get(this.edge, HOST, "/missing").status()).isEqualTo(404);
		assertThat(Visitor.get(this.edge, "nowhere.example.test", "/hello").status()).isEqualTo(503);
		assertThat(Visitor.get(this.edge, HOST, "/reset").status()).isEqualTo(502);
		a.awaitControlStream().send(ControlMessage.of(ControlMessage.NOT_READY));
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			String metrics = api("/metrics");
			assertThat(metrics).startsWith("200 text/plain; version=0.0.4; charset=utf-8\n")
				.contains("warp_edge_tunnels{node=\"edge-test\"} 1")
				.contains("warp_edge_connections{hostname=\"" + HOST + "\",node=\"edge-test\",state=\"not-ready\"} 1")
				.contains("warp_edge_connections{hostname=\"" + HOST + "\",node=\"edge-test\",state=\"ready\"} 0")
				.contains("warp_edge_connections{hostname=\"" + HOST + "\",node=\"edge-test\",state=\"draining\"} 0")
				.contains("warp_edge_replicas{hostname=\"" + HOST + "\",node=\"edge-test\"} 1")
				.contains("warp_edge_requests_seconds_count{hostname=\"" + HOST
						+ "\",node=\"edge-test\",outcome=\"SUCCESS\",status=\"200\"} 3")
				.contains("warp_edge_requests_seconds_count{hostname=\"" + HOST
						+ "\",node=\"edge-test\",outcome=\"CLIENT_ERROR\",status=\"404\"} 1")
				.contains("warp_edge_requests_seconds_count{hostname=\"" + HOST
						+ "\",node=\"edge-test\",outcome=\"SERVER_ERROR\",status=\"502\"} 1")
				.contains("warp_edge_requests_seconds_count{hostname=\"other\",node=\"edge-test\","
						+ "outcome=\"SERVER_ERROR\",status=\"503\"} 1")
				.contains("warp_edge_proxy_latency_seconds_count{hostname=\"" + HOST + "\",node=\"edge-test\"} 4")
				.contains("warp_edge_proxy_latency_seconds_bucket{")
				.containsPattern("warp_edge_tunnel_errors_total\\{hostname=\"" + HOST + "\",node=\"edge-test\"} [1-9]");
		});
	}

	@Test
	void metersGoToTheRegistryTheNodeIsGivenAndLeaveItWithTheNode() throws Exception {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		startEdge(registry);
		agent();
		assertThat(this.edge.meterRegistry()).isSameAs(registry);
		assertThat(Visitor.get(this.edge, HOST, "/hello").status()).isEqualTo(200);
		// Recorded once the response went out: the visitor may have it a moment before.
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(registry.find("warp.edge.requests").tag("status", "200").timers())
				.singleElement()
				.satisfies((timer) -> assertThat(timer.count()).isEqualTo(1)));
		assertThat(registry.get("warp.edge.tunnels").gauge().value()).isEqualTo(1);
		assertThat(api("/metrics")).startsWith("404 ");
		this.edge.close();
		assertThat(registry.find("warp.edge.tunnels").meters()).isEmpty();
		assertThat(registry.getMeters()).noneMatch((meter) -> meter.getId().getName().startsWith("warp.edge."));
	}

}
