package dev.warp.edge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.warp.core.protocol.ControlMessage;
import dev.warp.edge.tunnel.ConnectionState;
import dev.warp.edge.tunnel.TunnelConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How the edge chooses among the replicas of a hostname: readiness takes a replica out of the
 * pool and back without closing anything; requests in flight and tunnel failures weigh against
 * a connection.
 */
class EdgeLoadBalancingTests {

	private static final String HOST = "shop.example.test";

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private final List<TestAgent> agents = new ArrayList<>();

	@BeforeEach
	void startEdge() {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir)
			.responseTimeout(Duration.ofSeconds(5))
			.build());
	}

	@AfterEach
	void stop() {
		this.agents.forEach(TestAgent::close);
		this.edge.close();
	}

	private TestAgent agent() throws Exception {
		TestAgent agent = TestAgent.connect(this.edge, HOST);
		this.agents.add(agent);
		await().atMost(Duration.ofSeconds(5)).until(() -> connectionOf(agent) != null);
		return agent;
	}

	private TunnelConnection connectionOf(TestAgent agent) {
		var pool = this.edge.routeTable().pool(HOST);
		if (pool == null) {
			return null;
		}
		return pool.connections().stream().filter((c) -> agent.agentId.equals(c.agentId())).findFirst().orElse(null);
	}

	private Map<String, Integer> whoServes(int requests) {
		Map<String, Integer> served = new HashMap<>();
		for (int i = 0; i < requests; i++) {
			Visitor.Response response = Visitor.get(this.edge, HOST, "/whoami");
			assertThat(response.status()).isEqualTo(200);
			served.merge(response.body(), 1, Integer::sum);
		}
		return served;
	}

	@Test
	void requestsOfOneVisitorConnectionStayOnTheReplicasConnectionOnTheSameEventLoop() throws Exception {
		// Twice as many connections as the edge has event loops, accepted in turn: two on each loop.
		oneReplicaWithConnections(2 * LoopResources.DEFAULT_IO_WORKER_COUNT);
		// Only the two on the visitor's loop serve it; by cost alone, 20 requests would visit them all.
		assertThat(connectionsServingOneVisitorConnection(20)).hasSizeBetween(1, 2);
	}

	@Test
	void requestsStayOnTheVisitorsEventLoopWhateverTheRoundTripsOfTheReplicasConnections() throws Exception {
		// As many connections as the edge has event loops: one on each, however they arrive.
		oneReplicaWithConnections(LoopResources.DEFAULT_IO_WORKER_COUNT);
		// Heartbeats measured while some loops were busy: a few milliseconds apart.
		List<TunnelConnection> pool = this.edge.routeTable().pool(HOST).connections();
		for (int i = 0; i < pool.size(); i++) {
			for (int sample = 0; sample < 3; sample++) {
				pool.get(i).health().rttMeasured(Duration.ofMillis(5L * (i + 1)).toNanos());
			}
		}
		assertThat(connectionsServingOneVisitorConnection(20)).hasSize(1);
	}

	@Test
	void requestsLeaveTheVisitorsEventLoopOnlyWhenItsConnectionHasFarMoreInFlightThanAnother() throws Exception {
		oneReplicaWithConnections(LoopResources.DEFAULT_IO_WORKER_COUNT);
		onOneVisitorConnection((visitor) -> {
			String local = servedBy(visitor, 1).iterator().next();
			// One more in flight than the others: under load that is jitter, not imbalance.
			List<Channel> held = holdStreams(connectionFromPort(local), 1);
			assertThat(servedBy(visitor, 10)).containsOnly(local);
			// Far more than the others (past the margin of 8 times their cost): the other connections
			// of the replica take the requests.
			held.addAll(holdStreams(connectionFromPort(local), 15));
			assertThat(servedBy(visitor, 10)).doesNotContain(local);
			held.forEach(Channel::close);
			return null;
		});
	}

	/** Connects one replica with {@code connections} tunnel connections, all registered. */
	private void oneReplicaWithConnections(int connections) throws Exception {
		for (int i = 0; i < connections; i++) {
			this.agents.add(TestAgent.connect(this.edge, HOST, "replica-1"));
		}
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.edge.routeTable().pool(HOST) != null
					&& this.edge.routeTable().pool(HOST).connections().size() == connections);
	}

	/**
	 * The tunnel connections that served requests sent one after the other on one keep-alive
	 * visitor connection, which one edge event loop reads.
	 */
	private Set<String> connectionsServingOneVisitorConnection(int requests) {
		return onOneVisitorConnection((visitor) -> servedBy(visitor, requests));
	}

	/** What {@code work} returns, given a client that sends every request on one keep-alive connection. */
	private <T> T onOneVisitorConnection(Function<HttpClient, T> work) {
		ConnectionProvider one = ConnectionProvider.create("one", 1);
		try {
			return work.apply(HttpClient.create(one)
				.host("127.0.0.1")
				.port(this.edge.publicPort())
				.headers((headers) -> headers.set("Host", HOST)));
		}
		finally {
			one.disposeLater().block();
		}
	}

	/** The local ports of the replica's connections that served {@code requests} sent one after the other. */
	private static Set<String> servedBy(HttpClient visitor, int requests) {
		Set<String> servedBy = new HashSet<>();
		for (int i = 0; i < requests; i++) {
			Visitor.Response response = Visitor.get(visitor, "/connection");
			assertThat(response.status()).isEqualTo(200);
			servedBy.add(response.body());
		}
		return servedBy;
	}

	/** The edge's side of the replica connection whose agent-side port is {@code port}. */
	private TunnelConnection connectionFromPort(String port) {
		return this.edge.routeTable()
			.pool(HOST)
			.connections()
			.stream()
			.filter((connection) -> connection.remoteAddress().endsWith(":" + port))
			.findFirst()
			.orElseThrow();
	}

	/** Opens {@code count} streams on a connection that stay open (and in flight) until closed. */
	private static List<Channel> holdStreams(TunnelConnection connection, int count) {
		List<Channel> streams = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			streams.add(connection.openStream(new ChannelInboundHandlerAdapter()).syncUninterruptibly().getNow());
		}
		return streams;
	}

	@Test
	void replicaThatRefusesTrafficGetsNoRequestsUntilItIsReadyAgain() throws Exception {
		TestAgent a = agent();
		TestAgent b = agent();
		TunnelConnection connectionOfA = connectionOf(a);
		a.awaitControlStream().send(ControlMessage.of(ControlMessage.NOT_READY));
		await().atMost(Duration.ofSeconds(5)).until(() -> !connectionOfA.isReady());
		assertThat(whoServes(20)).containsOnlyKeys(b.agentId);
		a.send(ControlMessage.of(ControlMessage.READY));
		await().atMost(Duration.ofSeconds(5)).until(connectionOfA::isReady);
		assertThat(whoServes(10)).containsOnlyKeys(a.agentId, b.agentId);
		assertThat(connectionOf(a)).isSameAs(connectionOfA);
		assertThat(connectionOfA.closeFuture().isDone()).isFalse();
		assertThat(connectionOfA.state()).isEqualTo(ConnectionState.REGISTERED);
	}

	@Test
	void hostnameWhoseEveryReplicaRefusesTrafficIs503() throws Exception {
		TestAgent a = agent();
		a.awaitControlStream().send(ControlMessage.of(ControlMessage.NOT_READY));
		await().atMost(Duration.ofSeconds(5)).until(() -> !connectionOf(a).isReady());
		Visitor.Response response = Visitor.get(this.edge, HOST, "/whoami");
		assertThat(response.status()).isEqualTo(503);
		assertThat(response.body()).contains("No healthy tunnel for hostname " + HOST);
		assertThat(this.edge.routeTable().pool(HOST).connections()).hasSize(1);
	}

	@Test
	void connectionWithRequestsInFlightGetsNoNewOnesWhileAnotherIsIdle() throws Exception {
		TestAgent busy = agent();
		List<Disposable> hanging = new ArrayList<>();
		HttpClient client = Visitor.http(this.edge, HOST);
		// Alone in the pool, the busy agent takes every one of these; they never end.
		for (int i = 0; i < 3; i++) {
			hanging.add(client.get().uri("/never").response().subscribe());
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> connectionOf(busy).activeStreams() == 3);
		TestAgent idle = agent();
		try {
			assertThat(whoServes(20)).containsOnlyKeys(idle.agentId);
		}
		finally {
			hanging.forEach(Disposable::dispose);
		}
	}

	@Test
	void edgeRecordsEachConnectionsAnswersLatencyAndFailures() throws Exception {
		TestAgent a = agent();
		TunnelConnection connection = connectionOf(a);
		Flux.range(0, 5).concatMap((i) -> Visitor.http(this.edge, HOST).get().uri("/hello").response()).blockLast();
		await().atMost(Duration.ofSeconds(5)).until(() -> connection.health().answeredRequests() == 5);
		assertThat(connection.health().latencyNanos()).isPositive();
		assertThat(connection.health().errorRate()).isZero();
		assertThat(Visitor.get(this.edge, HOST, "/reset").status()).isEqualTo(502);
		await().atMost(Duration.ofSeconds(5)).until(() -> connection.health().failedRequests() >= 1);
		assertThat(connection.health().errorRate()).isPositive();
	}

}
