package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import dev.warp.edge.tunnel.TunnelConnection;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * High availability through real failures: edge nodes that die and come back, connections that
 * are cut or silently blackholed by a proxy between agent and edge, and replicas that shut down
 * or restart under load.
 */
@ExtendWith(OutputCaptureExtension.class)
class TunnelHighAvailabilityTests {

	static final String HOST = "ha.warp.test";

	@TempDir
	Path dir;

	private final List<AutoCloseable> resources = new ArrayList<>();

	@AfterEach
	void closeAll() throws Exception {
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			this.resources.get(i).close();
		}
	}

	private <T extends AutoCloseable> T keep(T resource) {
		this.resources.add(resource);
		return resource;
	}

	private EdgeNode edge(String nodeId) {
		return keep(EdgeNode.start(EdgeSettings.builder()
			.nodeId(nodeId)
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(this.dir.resolve(nodeId))
			.heartbeat(Duration.ofMillis(200), 3)
			.build()));
	}

	private EdgeNode secondNode(EdgeNode first, String nodeId) throws Exception {
		return keep(TunnelTestSupport.startSecondNode(first, this.dir.resolve(nodeId), nodeId));
	}

	private ConfigurableApplicationContext app(EdgeNode trusted, String instanceId, List<String> addresses, String... args) {
		List<String> all = new ArrayList<>(List.of("--warp.edge.addresses=" + String.join(",", addresses),
				"--warp.edge.ca-certificate=" + trusted.caCertificateFile(), "--sample.instance-id=" + instanceId,
				"--warp.heartbeat.interval=200ms", "--warp.heartbeat.max-missed=3",
				"--warp.edge.rebalance-interval=300ms"));
		all.addAll(List.of(args));
		ConfigurableApplicationContext context = TunnelTestSupport.startApp(HOST, all.toArray(String[]::new));
		keep(context::close);
		return context;
	}

	private static String tunnelAddress(EdgeNode edge) {
		return "127.0.0.1:" + edge.tunnelPort();
	}

	private static Map<String, Long> registeredPerEdge(WarpTunnel tunnel) {
		return tunnel.connections()
			.stream()
			.filter((c) -> c.state() == ConnectionState.REGISTERED)
			.collect(Collectors.groupingBy(ConnectionSnapshot::edge, Collectors.counting()));
	}

	private static HttpClient visitor(EdgeNode edge) {
		return TunnelTestSupport.visitorHttpClient(edge, 64).headers((h) -> h.set(HttpHeaderNames.HOST, HOST));
	}

	private static Mono<String> get(HttpClient visitor, String uri) {
		return visitor.get()
			.uri(uri)
			.responseSingle((response, body) -> body.asString()
				.defaultIfEmpty("")
				.map((text) -> response.status().code() + " " + text));
	}

	@Test
	void connectionsSpreadEvenlyOverTwoEdgeNodes() throws Exception {
		EdgeNode a = edge("edge-a");
		EdgeNode b = secondNode(a, "edge-b");
		WarpTunnel tunnel = app(a, "app-1", List.of(tunnelAddress(a), tunnelAddress(b)), "--warp.connections=4")
			.getBean(WarpTunnel.class);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(registeredPerEdge(tunnel)).containsEntry("edge-a", 2L).containsEntry("edge-b", 2L));
	}

	@Test
	void twoAddressesOfOneNodeAreRecognisedAndAnotherNodeIsSought() throws Exception {
		EdgeNode a = edge("edge-a");
		EdgeNode b = secondNode(a, "edge-b");
		TcpProxy anotherWayToA = keep(new TcpProxy(a.tunnelPort()));
		WarpTunnel tunnel = app(a, "app-1", List.of(tunnelAddress(a), anotherWayToA.address(), tunnelAddress(b)),
				"--warp.connections=2")
			.getBean(WarpTunnel.class);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(registeredPerEdge(tunnel)).containsEntry("edge-a", 1L).containsEntry("edge-b", 1L));
	}

	@Test
	void lostEdgeNodeIsLeftForTheSurvivorAndRejoinedWhenBack() throws Exception {
		EdgeNode a = edge("edge-a");
		EdgeNode b = secondNode(a, "edge-b");
		TcpProxy toA = keep(new TcpProxy(a.tunnelPort()));
		WarpTunnel tunnel = app(a, "app-1", List.of(toA.address(), tunnelAddress(b)), "--warp.connections=4")
			.getBean(WarpTunnel.class);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(registeredPerEdge(tunnel)).containsEntry("edge-a", 2L).containsEntry("edge-b", 2L));
		toA.cut();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(registeredPerEdge(tunnel)).containsOnlyKeys("edge-b").containsEntry("edge-b", 4L));
		toA.restore();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(registeredPerEdge(tunnel)).containsEntry("edge-a", 2L).containsEntry("edge-b", 2L));
	}

	@Test
	void blackholedConnectionIsDeclaredDeadAndReplacedAndItsRequestRetried(CapturedOutput output) throws Exception {
		EdgeNode edge = edge("edge-a");
		TcpProxy proxy = keep(new TcpProxy(edge.tunnelPort()));
		ConfigurableApplicationContext app = app(edge, "app-1", List.of(proxy.address()), "--warp.connections=2");
		WarpTunnel tunnel = app.getBean(WarpTunnel.class);
		await().atMost(Duration.ofSeconds(5)).until(() -> tunnel.registeredConnections() == 2);
		HttpClient visitor = visitor(edge);
		// A slow request on each connection, then one of them goes silent.
		List<TunnelConnection> connections = edge.routeTable().pool(HOST).connections();
		Mono<List<String>> inFlight = Flux.range(0, 4).flatMap((i) -> get(visitor, "/slow?ms=400")).collectList().cache();
		inFlight.subscribe();
		await().atMost(Duration.ofSeconds(2)).until(() -> connections.stream().allMatch((c) -> c.activeStreams() > 0));
		int blackholedPort = Integer.parseInt(connections.get(0).remoteAddress().replaceAll(".*:", ""));
		long start = System.nanoTime();
		assertThat(proxy.blackhole(blackholedPort)).isTrue();
		// Heartbeats every 200 ms, 3 missed: dead within 0.6 s, plus 1 s of allowance.
		await().atMost(Duration.ofMillis(1600))
			.untilAsserted(() -> assertThat(edge.routeTable().pool(HOST).connections()).doesNotContain(connections.get(0)));
		await().atMost(Duration.ofMillis(1600)).untilAsserted(() -> assertThat(output)
			.contains("stopped answering: 3 heartbeats in a row went unanswered"));
		List<String> answers = inFlight.block(Duration.ofSeconds(5));
		long waitedMillis = (System.nanoTime() - start) / 1_000_000;
		assertThat(answers).as("GETs on the dead connection were retried on the live one").containsOnly("200 ok");
		assertThat(waitedMillis).as("no request waits longer than the detection time").isLessThan(1600 + 400);
		await().atMost(Duration.ofSeconds(5)).until(() -> tunnel.registeredConnections() == 2);
	}

	@Test
	void tunnelComesBackWithinTheBackoffMaximumAfterAThirtySecondEdgeOutage() throws Exception {
		EdgeNode edge = edge("edge-a");
		TcpProxy proxy = keep(new TcpProxy(edge.tunnelPort()));
		WarpTunnel tunnel = app(edge, "app-1", List.of(proxy.address()), "--warp.reconnect.max-delay=2s")
			.getBean(WarpTunnel.class);
		proxy.cut();
		await().atMost(Duration.ofSeconds(2)).until(() -> tunnel.registeredConnections() == 0);
		Mono.delay(Duration.ofSeconds(30)).block();
		// Still retrying after 30 s: the slot keeps going back to BACKOFF, each time within the
		// maximum delay of the last. A sample can land on a dial in progress, hence the await.
		await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(tunnel.connections()).singleElement()
			.satisfies((c) -> {
				assertThat(c.state()).isEqualTo(ConnectionState.BACKOFF);
				assertThat(c.since()).isAfter(Instant.now().minus(Duration.ofMillis(2000 + 1500)));
			}));
		proxy.restore();
		// Full jitter never waits longer than the maximum; a little allowance for the handshake.
		await().atMost(Duration.ofMillis(2000 + 1500)).until(() -> tunnel.registeredConnections() == 1);
	}

	@Test
	void gracefulShutdownFinishesTheSlowRequestAndNewRequestsGoToTheOtherReplica() throws Exception {
		EdgeNode edge = edge("edge-a");
		ConfigurableApplicationContext leaving = app(edge, "leaving", List.of(tunnelAddress(edge)));
		app(edge, "staying", List.of(tunnelAddress(edge)));
		HttpClient visitor = visitor(edge);
		AtomicInteger slowOnLeaving = new AtomicInteger();
		// Put slow requests in flight until one of them sits on the leaving replica.
		Mono<List<String>> slow = Flux.range(0, 6).flatMap((i) -> get(visitor, "/slow?ms=2000")).collectList().cache();
		slow.subscribe();
		String leavingAgent = leaving.getBean(WarpTunnel.class).settings().agentId();
		TunnelConnection leavingConnection = edge.routeTable()
			.pool(HOST)
			.connections()
			.stream()
			.filter((c) -> leavingAgent.equals(c.agentId()))
			.findFirst()
			.orElseThrow();
		// Generous: on a busy machine the visitor's first connections can take a second or two.
		await().atMost(Duration.ofSeconds(10)).until(() -> leavingConnection.activeStreams() > 0);
		slowOnLeaving.set(leavingConnection.activeStreams());
		Thread closer = new Thread(leaving::close);
		closer.start();
		await().atMost(Duration.ofSeconds(2)).until(() -> !leavingConnection.isAvailable());
		List<String> during = Flux.range(0, 20).concatMap((i) -> get(visitor, "/api/info")).collectList().block();
		assertThat(during).allSatisfy((answer) -> assertThat(answer).startsWith("200 ").contains("\"instanceId\":\"staying\""));
		assertThat(slow.block(Duration.ofSeconds(10))).hasSize(6).containsOnly("200 ok");
		closer.join(10_000);
		assertThat(slowOnLeaving.get()).isPositive();
	}

	@Test
	void rollingRestartOfTwoReplicasUnderSteadyLoadLosesNoRequest() throws Exception {
		EdgeNode edge = edge("edge-a");
		ConfigurableApplicationContext first = app(edge, "first", List.of(tunnelAddress(edge)), "--warp.connections=2");
		ConfigurableApplicationContext second = app(edge, "second", List.of(tunnelAddress(edge)), "--warp.connections=2");
		HttpClient visitor = visitor(edge);
		Map<String, Integer> outcomes = new ConcurrentHashMap<>();
		AtomicInteger sent = new AtomicInteger();
		Disposable load = Flux.interval(Duration.ofMillis(10))
			.onBackpressureDrop()
			.flatMap((tick) -> {
				sent.incrementAndGet();
				return get(visitor, "/slow?ms=50").map((answer) -> answer.substring(0, 3)).onErrorResume((ex) -> Mono.just(ex.toString()));
			}, 256)
			.subscribe((outcome) -> outcomes.merge(outcome, 1, Integer::sum));
		try {
			first.close();
			app(edge, "first-again", List.of(tunnelAddress(edge)), "--warp.connections=2");
			second.close();
			app(edge, "second-again", List.of(tunnelAddress(edge)), "--warp.connections=2");
			Mono.delay(Duration.ofMillis(500)).block();
		}
		finally {
			load.dispose();
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.values().stream().mapToInt(Integer::intValue).sum() >= sent.get() - 256);
		assertThat(outcomes).containsOnlyKeys("200");
		assertThat(outcomes.get("200")).isGreaterThan(100);
	}

	@Test
	void nonIdempotentPostOnADyingConnectionGets502AndIsNeverRetried() throws Exception {
		EdgeNode edge = edge("edge-a");
		TcpProxy proxy = keep(new TcpProxy(edge.tunnelPort()));
		ConfigurableApplicationContext app = app(edge, "app-1", List.of(proxy.address()), "--warp.connections=2");
		await().atMost(Duration.ofSeconds(5)).until(() -> app.getBean(WarpTunnel.class).registeredConnections() == 2);
		TunnelProbeConfiguration.SlowPosts posts = app.getBean(TunnelProbeConfiguration.SlowPosts.class);
		Mono<String> post = visitor(edge).post()
			.uri("/probe/slow-post")
			.send((request, outbound) -> outbound.sendString(Mono.just("order")))
			.responseSingle((response, body) -> body.asString().defaultIfEmpty("").map((text) -> response.status().code() + " " + text))
			.cache();
		post.subscribe();
		await().atMost(Duration.ofSeconds(2)).until(() -> posts.started() == 1);
		TunnelConnection carrying = edge.routeTable().pool(HOST).connections().stream()
			.filter((c) -> c.activeStreams() > 0).findFirst().orElseThrow();
		proxy.cut(Integer.parseInt(carrying.remoteAddress().replaceAll(".*:", "")));
		String answer = post.block(Duration.ofSeconds(5));
		assertThat(answer).startsWith("502 ").contains("tunnel connection closed").contains("Warp-Ray");
		assertThat(posts.started()).as("the POST reached the app once, never again").isEqualTo(1);
	}

	@Test
	void idempotentGetOnADyingConnectionIsRetriedOnAnotherConnection() throws Exception {
		EdgeNode edge = edge("edge-a");
		TcpProxy proxy = keep(new TcpProxy(edge.tunnelPort()));
		ConfigurableApplicationContext app = app(edge, "app-1", List.of(proxy.address()), "--warp.connections=2");
		await().atMost(Duration.ofSeconds(5)).until(() -> app.getBean(WarpTunnel.class).registeredConnections() == 2);
		Mono<String> slow = get(visitor(edge), "/slow?ms=500").cache();
		slow.subscribe();
		await().atMost(Duration.ofSeconds(2))
			.until(() -> edge.routeTable().pool(HOST).connections().stream().anyMatch((c) -> c.activeStreams() > 0));
		TunnelConnection carrying = edge.routeTable().pool(HOST).connections().stream()
			.filter((c) -> c.activeStreams() > 0).findFirst().orElseThrow();
		proxy.cut(Integer.parseInt(carrying.remoteAddress().replaceAll(".*:", "")));
		assertThat(slow.block(Duration.ofSeconds(5))).isEqualTo("200 ok");
	}

	@Test
	void edgeNodeThatShutsDownHasItsConnectionsMovedFirstAndItsRequestsFinished() throws Exception {
		EdgeNode a = edge("edge-a");
		EdgeNode b = secondNode(a, "edge-b");
		WarpTunnel tunnel = app(a, "app-1", List.of(tunnelAddress(a), tunnelAddress(b)), "--warp.connections=2",
				"--warp.edge.rebalance-interval=1h")
			.getBean(WarpTunnel.class);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(registeredPerEdge(tunnel)).containsEntry("edge-a", 1L).containsEntry("edge-b", 1L));
		Mono<String> inFlightOnA = get(visitor(a), "/slow?ms=1000").cache();
		inFlightOnA.subscribe();
		await().atMost(Duration.ofSeconds(2))
			.until(() -> a.routeTable().pool(HOST).connections().stream().anyMatch((c) -> c.activeStreams() > 0));
		AtomicInteger fewestRegistered = new AtomicInteger(Integer.MAX_VALUE);
		Disposable sampler = Flux.interval(Duration.ofMillis(5))
			.subscribe((tick) -> fewestRegistered.accumulateAndGet((int) tunnel.registeredConnections(), Math::min));
		try {
			a.shutdownGracefully(Duration.ofSeconds(10));
			assertThat(inFlightOnA.block(Duration.ofSeconds(5))).as("the request in flight finished").isEqualTo("200 ok");
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(registeredPerEdge(tunnel)).containsOnlyKeys("edge-b").containsEntry("edge-b", 2L));
		}
		finally {
			sampler.dispose();
		}
		assertThat(fewestRegistered.get()).as("the tunnel never lost its last registered connection").isPositive();
		assertThat(Flux.range(0, 20).concatMap((i) -> get(visitor(b), "/hello")).collectList().block())
			.containsOnly("200 hello");
	}

}
