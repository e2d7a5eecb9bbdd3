package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.warp.agent.WarpTunnel;
import dev.warp.edge.EdgeNode;
import dev.warp.edge.routing.HostnamePool;
import dev.warp.edge.tunnel.ConnectionState;
import dev.warp.edge.tunnel.TunnelConnection;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every replica that registers a hostname is in its pool, and the edge chooses among them by
 * load: a replica that refuses traffic gets none until it accepts it again, with its tunnel
 * open all along; a slow replica gets fewer requests than a fast one.
 */
class TunnelLoadBalancingTests {

	static final String HOST = "pool.warp.test";

	/** Requests in flight at once when counting who serves them. */
	static final int IN_FLIGHT = 8;

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private final List<ConfigurableApplicationContext> apps = new ArrayList<>();

	@AfterEach
	void stop() {
		this.apps.forEach(ConfigurableApplicationContext::close);
		if (this.edge != null) {
			this.edge.close();
		}
	}

	private ConfigurableApplicationContext replica(String instanceId, String... args) {
		List<String> all = new ArrayList<>(List.of("--sample.instance-id=" + instanceId));
		all.addAll(List.of(args));
		ConfigurableApplicationContext app = TunnelTestSupport.startApp(this.edge, HOST, all.toArray(String[]::new));
		this.apps.add(app);
		String agent = app.getBean(WarpTunnel.class).settings().agentId();
		await().atMost(Duration.ofSeconds(5)).until(() -> connectionOf(agent) != null);
		return app;
	}

	private TunnelConnection connectionOf(String agent) {
		HostnamePool pool = this.edge.routeTable().pool(HOST);
		return (pool != null) ? pool.connections().stream().filter((c) -> agent.equals(c.agentId())).findFirst()
			.orElse(null) : null;
	}

	/**
	 * Which replica served each of {@code count} requests, sent {@link #IN_FLIGHT} at a time. One
	 * at a time, every request would find both replicas idle and go to the one whose heartbeat
	 * round trip the edge measured shorter; on a busy machine loopback round trips differ by more
	 * than the edge's noise floor, and that one replica would take them all.
	 */
	private Map<String, Integer> servedBy(int count) {
		HttpClient client = visitor(IN_FLIGHT);
		Map<String, Integer> served = new ConcurrentHashMap<>();
		Flux.range(0, count)
			.flatMap((i) -> hello(client), IN_FLIGHT)
			.doOnNext((replica) -> served.merge(replica, 1, Integer::sum))
			.blockLast(Duration.ofSeconds(30));
		return served;
	}

	private HttpClient visitor(int connections) {
		return TunnelTestSupport.visitorHttpClient(this.edge, connections)
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, HOST));
	}

	/** The instance id of the replica that answered {@code GET /hello}. */
	private static Mono<String> hello(HttpClient client) {
		return client.get().uri("/hello").responseSingle((response, body) -> body.asString().map((text) -> {
			assertThat(response.status().code()).isEqualTo(200);
			return response.responseHeaders().get("X-Sample-Filter");
		}));
	}

	@Test
	void replicaThatRefusesTrafficGetsNoneUntilItAcceptsItAgainWithItsTunnelOpenAllAlong() {
		this.edge = TunnelTestSupport.startEdge(this.dataDir);
		ConfigurableApplicationContext one = replica("replica-1");
		ConfigurableApplicationContext two = replica("replica-2");
		WarpTunnel tunnelOne = one.getBean(WarpTunnel.class);
		WarpTunnel tunnelTwo = two.getBean(WarpTunnel.class);
		TunnelConnection atTheEdgeOne = connectionOf(tunnelOne.settings().agentId());
		TunnelConnection atTheEdgeTwo = connectionOf(tunnelTwo.settings().agentId());
		Instant sinceOne = tunnelOne.connections().get(0).since();
		Instant sinceTwo = tunnelTwo.connections().get(0).since();
		assertThat(servedBy(40)).containsOnlyKeys("replica-1", "replica-2");

		AvailabilityChangeEvent.publish(one, ReadinessState.REFUSING_TRAFFIC);
		await().atMost(Duration.ofSeconds(5)).until(() -> !atTheEdgeOne.isReady());
		assertThat(servedBy(100)).containsOnly(Map.entry("replica-2", 100));

		AvailabilityChangeEvent.publish(one, ReadinessState.ACCEPTING_TRAFFIC);
		await().atMost(Duration.ofSeconds(5)).until(atTheEdgeOne::isReady);
		assertThat(servedBy(40)).containsOnlyKeys("replica-1", "replica-2");

		// No connection was closed or replaced on either side.
		assertThat(this.edge.routeTable().pool(HOST).connections()).containsExactlyInAnyOrder(atTheEdgeOne,
				atTheEdgeTwo);
		assertThat(List.of(atTheEdgeOne, atTheEdgeTwo)).allSatisfy((connection) -> {
			assertThat(connection.state()).isEqualTo(ConnectionState.REGISTERED);
			assertThat(connection.closeFuture().isDone()).isFalse();
		});
		assertThat(tunnelOne.connections().get(0).since()).isEqualTo(sinceOne);
		assertThat(tunnelTwo.connections().get(0).since()).isEqualTo(sinceTwo);
		assertThat(tunnelOne.statistics().reconnects() + tunnelTwo.statistics().reconnects()).isZero();
	}

	@Test
	void slowReplicaGetsClearlyFewerRequestsThanAFastOneUnderConcurrentLoad() {
		this.edge = TunnelTestSupport.startEdge(this.dataDir);
		replica("fast");
		replica("slow", "--spring.main.sources=" + SlowReplicaConfiguration.class.getName(), "--probe.delay=500ms");
		Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
		HttpClient client = visitor(8);
		Flux.range(0, 400)
			.flatMap((i) -> hello(client), 8)
			.doOnNext((replica) -> served.computeIfAbsent(replica, (r) -> new AtomicInteger()).incrementAndGet())
			.blockLast(Duration.ofSeconds(60));
		int fast = served.getOrDefault("fast", new AtomicInteger()).get();
		int slow = served.getOrDefault("slow", new AtomicInteger()).get();
		assertThat(fast + slow).isEqualTo(400);
		// Round-robin would give each half. The edge sends a new request to the replica with fewer
		// in flight, so both end up with about as many in flight, and each serves in proportion
		// to its speed: the slow one, about (time per request of the fast one) / 500 ms of them.
		assertThat(slow).as("requests served by the slow replica (the fast one served %d)", fast)
			.isLessThan(fast / 4);
	}

}
