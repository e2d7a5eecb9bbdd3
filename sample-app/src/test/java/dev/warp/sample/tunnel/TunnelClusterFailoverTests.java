package dev.warp.sample.tunnel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.warp.agent.ConnectionSnapshot;
import dev.warp.agent.ConnectionState;
import dev.warp.agent.WarpTunnel;
import dev.warp.edge.EdgeNode;
import dev.warp.edge.EdgeSettings;
import dev.warp.edge.RedisServer;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two edge nodes sharing their routes through a real Redis, a replica connected to both, and a
 * steady load of visitors on both nodes: when one node's tunnel listener dies abruptly, not one
 * request fails, the tunnel gathers on the survivor, and spreads again once the node is back.
 */
class TunnelClusterFailoverTests {

	static final String HOST = "cluster.warp.test";

	@TempDir
	Path dir;

	@Test
	void steadyLoadThroughTwoNodesLosesNoRequestWhenOneNodesTunnelsDie() throws Exception {
		try (RedisServer redis = RedisServer.start(this.dir);
				EdgeNode a = node("edge-a", redis);
				EdgeNode b = sameCa(a, "edge-b", redis);
				TcpProxy toA = new TcpProxy(a.tunnelPort())) {
			ConfigurableApplicationContext app = TunnelTestSupport.startApp(HOST,
					"--warp.edge.addresses=" + toA.address() + ",127.0.0.1:" + b.tunnelPort(),
					"--warp.edge.ca-certificate=" + a.caCertificateFile(), "--warp.connections=4",
					"--warp.heartbeat.interval=200ms", "--warp.heartbeat.max-missed=3",
					"--warp.edge.rebalance-interval=300ms");
			try {
				WarpTunnel tunnel = app.getBean(WarpTunnel.class);
				await().atMost(Duration.ofSeconds(5))
					.untilAsserted(() -> assertThat(perEdge(tunnel)).containsEntry("edge-a", 2L).containsEntry("edge-b", 2L));
				List<HttpClient> visitors = List.of(visitor(a), visitor(b));
				Map<String, Integer> outcomes = new ConcurrentHashMap<>();
				AtomicInteger sent = new AtomicInteger();
				// 200 requests a second for 20 seconds, alternating between the two nodes.
				Disposable load = Flux.interval(Duration.ofMillis(5))
					.take(4000)
					.onBackpressureBuffer()
					.flatMap((tick) -> {
						sent.incrementAndGet();
						return visitors.get((int) (tick % 2))
							.get()
							.uri("/slow?ms=20")
							.responseSingle((response, body) -> body.asString().defaultIfEmpty("")
								.map((text) -> response.status().code() + " " + text))
							.onErrorResume((ex) -> Mono.just(ex.toString()));
					}, 512)
					.subscribe((outcome) -> outcomes.merge(outcome, 1, Integer::sum));
				try {
					Mono.delay(Duration.ofSeconds(5)).block();
					toA.cut();
					await().atMost(Duration.ofSeconds(5))
						.untilAsserted(() -> assertThat(perEdge(tunnel)).containsOnlyKeys("edge-b").containsEntry("edge-b", 4L));
					Mono.delay(Duration.ofSeconds(3)).block();
					toA.restore();
					await().atMost(Duration.ofSeconds(10))
						.untilAsserted(() -> assertThat(perEdge(tunnel)).containsEntry("edge-a", 2L).containsEntry("edge-b", 2L));
					await().atMost(Duration.ofSeconds(30)).until(load::isDisposed);
				}
				finally {
					load.dispose();
				}
				await().atMost(Duration.ofSeconds(10))
					.until(() -> outcomes.values().stream().mapToInt(Integer::intValue).sum() == sent.get());
				assertThat(sent.get()).isEqualTo(4000);
				assertThat(outcomes).as("every request answered 200").containsOnlyKeys("200 ok");
			}
			finally {
				app.close();
			}
		}
	}

	private EdgeNode node(String nodeId, RedisServer redis) {
		return EdgeNode.start(settings(nodeId, redis).build());
	}

	private EdgeNode sameCa(EdgeNode first, String nodeId, RedisServer redis) throws Exception {
		Path dataDir = this.dir.resolve(nodeId);
		Files.createDirectories(dataDir);
		for (String file : List.of("ca.pem", "ca-key.pem")) {
			Files.copy(first.caCertificateFile().resolveSibling(file), dataDir.resolve(file),
					StandardCopyOption.REPLACE_EXISTING);
		}
		return EdgeNode.start(settings(nodeId, redis).build());
	}

	private EdgeSettings.Builder settings(String nodeId, RedisServer redis) {
		return EdgeSettings.builder()
			.nodeId(nodeId)
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(this.dir.resolve(nodeId))
			.heartbeat(Duration.ofMillis(200), 3)
			.clusterRedisUrl(redis.url())
			.clusterPeerPort(0)
			.clusterLeaseTtl(Duration.ofSeconds(3));
	}

	private static HttpClient visitor(EdgeNode edge) {
		return TunnelTestSupport.visitorHttpClient(edge, 256).headers((h) -> h.set(HttpHeaderNames.HOST, HOST));
	}

	private static Map<String, Long> perEdge(WarpTunnel tunnel) {
		return tunnel.connections()
			.stream()
			.filter((c) -> c.state() == ConnectionState.REGISTERED)
			.collect(Collectors.groupingBy(ConnectionSnapshot::edge, Collectors.counting()));
	}

}
