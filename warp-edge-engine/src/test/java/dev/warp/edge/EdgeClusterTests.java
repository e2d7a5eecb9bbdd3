package dev.warp.edge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.CertificateRequests;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.protocol.ControlMessage;
import dev.warp.edge.provisioning.OriginCertificateIssuer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Several {@link EdgeNode}s sharing their route table through a real Redis server: a visitor on
 * one node is served through a tunnel connected to another, over an edge-to-edge HTTP/2
 * connection.
 */
class EdgeClusterTests {

	private static final String HOST = "shop.example.test";

	private static final Duration LEASE_TTL = TestCluster.LEASE_TTL;

	@TempDir
	Path temp;

	private TestCluster cluster;

	@BeforeEach
	void startRedis() throws Exception {
		this.cluster = TestCluster.start(this.temp);
	}

	@AfterEach
	void stop() throws Exception {
		this.cluster.close();
	}

	private EdgeSettings.Builder settings(String nodeId) {
		return this.cluster.settings(nodeId);
	}

	private EdgeNode node(EdgeSettings settings) {
		return this.cluster.node(settings);
	}

	private EdgeNode nodeSharingCa(String nodeId, EdgeNode first) throws Exception {
		return this.cluster.nodeSharingCa(nodeId, first);
	}

	static void shareCa(EdgeNode first, Path dataDir) throws Exception {
		TestCluster.shareCa(first, dataDir);
	}

	private TestAgent agent(int tunnelPort, Path trustedCa, String hostname) throws Exception {
		return this.cluster.agent(tunnelPort, trustedCa, hostname);
	}

	private void awaitRoute(String hostname, String nodeId) {
		this.cluster.awaitRoute(hostname, nodeId);
	}

	@Test
	void visitorOnOneNodeIsServedByATunnelOnAnother() throws Exception {
		EdgeNode a = node(settings("edge-a").build());
		EdgeNode b = nodeSharingCa("edge-b", a);
		// The agent trusts node A's ca.pem only, and connects to node B.
		TestAgent agent = agent(b.tunnelPort(), a.caCertificateFile(), HOST);
		awaitRoute(HOST, "edge-b");
		assertThat(a.routeTable().select(HOST)).isNull();

		Visitor.Response whoami = Visitor.get(a, HOST, "/whoami");
		assertThat(whoami.status()).isEqualTo(200);
		assertThat(whoami.body()).isEqualTo(agent.agentId);
		assertThat(whoami.ray()).matches("[0-9a-f]{16}-edge-a");

		HttpClient forging = Visitor.http(a, HOST).headers((headers) -> headers.add("Warp-Connecting-IP", "6.6.6.6")
			.add("warp-control", "1")
			.add("Warp-Ray", "forged")
			.add("X-Forwarded-For", "10.0.0.1")
			.add("Forwarded", "for=10.0.0.1")
			.add("X-Real-IP", "10.0.0.1")
			.add("X-Custom", "one")
			.add("X-Custom", "two")
			.add("TE", "trailers"));
		Visitor.Response viaA = Visitor.get(forging, "/headers?q=a%20b");
		assertThat(viaA.status()).isEqualTo(200);
		List<String> lines = viaA.body().lines().toList();
		assertThat(lines).startsWith(":method: GET", ":path: /headers?q=a%20b", ":scheme: http", ":authority: " + HOST);
		// The visitor's address as node A saw it, not the peer's, nor what the visitor claimed.
		assertThat(lines).contains("x-forwarded-for: 127.0.0.1", "x-forwarded-proto: http", "x-forwarded-host: " + HOST,
				"x-forwarded-port: 80", "warp-connecting-ip: 127.0.0.1", "warp-ray: " + viaA.ray(), "te: trailers");
		assertThat(lines).containsSubsequence("x-custom: one", "x-custom: two");
		assertThat(lines).filteredOn((line) -> line.startsWith("warp-")).hasSize(2);
		assertThat(lines).noneMatch((line) -> line.contains("6.6.6.6") || line.contains("forged")
				|| line.contains("10.0.0.1") || line.startsWith("x-http2-") || line.startsWith("host:"));
		// The app sees the same request through node A as straight through node B, ray id apart.
		HttpClient direct = Visitor.http(b, HOST).headers((headers) -> headers.add("X-Forwarded-For", "10.0.0.1")
			.add("X-Custom", "one")
			.add("X-Custom", "two")
			.add("TE", "trailers"));
		Visitor.Response viaB = Visitor.get(direct, "/headers?q=a%20b");
		assertThat(withoutRay(viaA.body())).isEqualTo(withoutRay(viaB.body()));
		assertThat(viaA.ray()).endsWith("-edge-a");
		assertThat(viaB.ray()).endsWith("-edge-b");
	}

	@Test
	void bodiesStreamBothWaysThroughThePeerConnection() throws Exception {
		EdgeNode a = node(settings("edge-a").build());
		EdgeNode b = nodeSharingCa("edge-b", a);
		agent(b.tunnelPort(), b.caCertificateFile(), HOST);
		awaitRoute(HOST, "edge-b");

		Visitor.assertEchoesWhole(Visitor.http(a, HOST), 256, false);

		AtomicLong downloaded = new AtomicLong();
		HttpHeaders headers = Visitor.http(a, HOST)
			.get()
			.uri("/download?size=" + (16 * 1024 * 1024))
			.response((response, body) -> body.doOnNext((buffer) -> downloaded.addAndGet(buffer.readableBytes()))
				.then(Mono.just(response.responseHeaders())))
			.blockLast(Duration.ofSeconds(30));
		assertThat(downloaded.get()).isEqualTo(16 * 1024 * 1024);
		assertThat(headers.get("content-length")).isEqualTo(String.valueOf(16 * 1024 * 1024));

		String trailers = Visitor.raw(a, "GET /trailers HTTP/1.1\r\nHost: " + HOST
				+ "\r\nTE: trailers\r\nConnection: close\r\n\r\n");
		assertThat(trailers).startsWith("HTTP/1.1 200").contains("body").contains("x-checksum: abc");
		Visitor.Response head = Visitor.response(Visitor.http(a, HOST).head().uri("/hello"), Visitor.TIMEOUT);
		assertThat(head.status()).isEqualTo(200);
		assertThat(head.headers().get("content-length")).isEqualTo("5");
		assertThat(head.body()).isEmpty();
		assertThat(Visitor.get(Visitor.h2c(a, HOST), "/hello").body()).isEqualTo("hello");
	}

	@Test
	void slowVisitorsOfAForwardingNodeLeaveItsOtherForwardedRequestsFlowing() throws Exception {
		EdgeNode a = node(settings("edge-a").build());
		EdgeNode b = nodeSharingCa("edge-b", a);
		TestAgent agent = agent(b.tunnelPort(), b.caCertificateFile(), HOST);
		awaitRoute(HOST, "edge-b");
		// A first request opens the peer connection from node A to node B, which then carries them
		// all (a burst before it is open would open several): more of them than a 32 MiB
		// connection window has room for 1 MiB stream windows.
		assertThat(Visitor.get(a, HOST, "/hello").status()).isEqualTo(200);
		try (Visitor.SlowDownloads slow = new Visitor.SlowDownloads(a, HOST, 48)) {
			slow.awaitHeld(agent, 48L * 1024 * 1024);
			Visitor.Response answer = Visitor.response(Visitor.http(a, HOST).get().uri("/hello"), Duration.ofSeconds(5));
			assertThat(answer.status()).isEqualTo(200);
			assertThat(answer.body()).isEqualTo("hello");
		}
	}

	@Test
	void uploadAnsweredBeforeTheAgentReadItIsAnsweredThroughThePeerConnectionAndEnds() throws Exception {
		EdgeNode a = node(settings("edge-a").build());
		EdgeNode b = nodeSharingCa("edge-b", a);
		agent(b.tunnelPort(), b.caCertificateFile(), HOST);
		awaitRoute(HOST, "edge-b");
		int size = 4 * 1024 * 1024;
		Visitor.Response answer = Visitor.response(Visitor.http(a, HOST)
			.headers((headers) -> headers.set("content-length", size))
			.post()
			.uri("/early")
			.send(Flux.range(0, size / 65536).map((n) -> Unpooled.wrappedBuffer(new byte[65536]))), Visitor.TIMEOUT);
		assertThat(answer.status()).isEqualTo(401);
		assertThat(answer.body()).isEqualTo("no");
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(b.routeTable().pool(HOST).connections())
				.allSatisfy((connection) -> assertThat(connection.activeStreams()).isZero()));
		assertThat(Visitor.get(a, HOST, "/hello").body()).isEqualTo("hello");
	}

	@Test
	void uploadThatTakesLongerThanTheResponseTimeoutIsAnsweredThroughThePeerConnection() throws Exception {
		// A one-second response timeout on both nodes (two with the forwarding node's margin); the
		// upload takes three: the time counts from the request's last byte on each.
		EdgeNode a = node(settings("edge-a").responseTimeout(Duration.ofSeconds(1)).build());
		shareCa(a, this.temp.resolve("edge-b"));
		EdgeNode b = node(settings("edge-b").responseTimeout(Duration.ofSeconds(1)).build());
		agent(b.tunnelPort(), b.caCertificateFile(), HOST);
		awaitRoute(HOST, "edge-b");
		assertThat(Visitor.slowUpload(a, HOST, "/length", "Content-Length: 6\r\n", Duration.ofMillis(500), "a", "b", "c",
				"d", "e", "f")).startsWith("HTTP/1.1 200").containsPattern("\r\n\r\n(1\r\n)?6(\r\n0\r\n\r\n)?$");
	}

	@Test
	void requestWhoseTunnelConnectionHereDiesIsServedThroughAnotherNodeAndSoAreThoseBehindIt() throws Exception {
		EdgeNode a = node(settings("edge-a").build());
		EdgeNode b = nodeSharingCa("edge-b", a);
		TestAgent here = agent(a.tunnelPort(), a.caCertificateFile(), HOST);
		TestAgent there = agent(b.tunnelPort(), b.caCertificateFile(), HOST);
		awaitRoute(HOST, "edge-a");
		awaitRoute(HOST, "edge-b");
		// Node A sends the first request down its own tunnel, whose agent closes the connection on
		// it; the request pipelined behind it waits on the same visitor connection.
		String responses = Visitor.raw(a, "GET /whoami-or-die?agent=" + there.agentId + " HTTP/1.1\r\nHost: " + HOST
				+ "\r\n\r\nGET /whoami HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
		assertThat(here.requests).contains("/whoami-or-die?agent=" + there.agentId);
		assertThat(responses).startsWith("HTTP/1.1 200");
		assertThat(responses.split("HTTP/1.1 200", -1)).hasSize(3);
		assertThat(responses.split(Pattern.quote(there.agentId), -1)).hasSize(3);
		assertThat(responses).doesNotContain(here.agentId).containsPattern("(?i)warp-ray: [0-9a-f]{16}-edge-a");
	}

	@Test
	void continueOnANodeOfAClusterLeavesTheAnswerOfARequestPipelinedBehindItsBody() throws Exception {
		EdgeNode a = node(settings("edge-a").responseTimeout(Duration.ofSeconds(1)).build());
		agent(a.tunnelPort(), a.caCertificateFile(), HOST);
		awaitRoute(HOST, "edge-a");
		// The HEAD is read before the POST's answer is written: that answer keeps its body.
		assertThat(Visitor.continueWithAHeadBehind(a, HOST)).startsWith("HTTP/1.1 504")
			.contains("\r\n\r\nOrigin timed out");
	}

	@Test
	void errorsOfTheNodeWithTheTunnelReachTheVisitor() throws Exception {
		EdgeNode a = node(settings("edge-a").build());
		EdgeNode b = nodeSharingCa("edge-b", a);
		agent(b.tunnelPort(), b.caCertificateFile(), HOST);
		awaitRoute(HOST, "edge-b");
		Visitor.Response reset = Visitor.get(a, HOST, "/reset");
		assertThat(reset.status()).isEqualTo(502);
		assertThat(reset.body())
			.isEqualTo("Origin failed: stream reset by the agent (INTERNAL_ERROR) (Warp-Ray: " + reset.ray() + ")\n");
		assertThat(reset.ray()).endsWith("-edge-a");
		Visitor.Response unknown = Visitor.get(a, "nope.example.test", "/hello");
		assertThat(unknown.status()).isEqualTo(503);
		assertThat(unknown.body())
			.isEqualTo("No healthy tunnel for hostname nope.example.test (Warp-Ray: " + unknown.ray() + ")\n");
	}

	@Test
	void routeLeavesTheSharedTableWhenTheLastConnectionCloses() throws Exception {
		EdgeNode a = node(settings("edge-a").build());
		EdgeNode b = nodeSharingCa("edge-b", a);
		TestAgent first = agent(b.tunnelPort(), b.caCertificateFile(), HOST);
		TestAgent second = agent(b.tunnelPort(), b.caCertificateFile(), HOST);
		awaitRoute(HOST, "edge-b");
		await().atMost(Duration.ofSeconds(5)).until(() -> b.routeTable().pool(HOST) != null
				&& b.routeTable().pool(HOST).connections().size() == 2);
		first.close();
		await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
			.until(() -> b.routeTable().pool(HOST).connections().size() == 1);
		assertThat(this.cluster.redis().commands().zscore("warp:routes:" + HOST, "edge-b")).isNotNull();
		assertThat(Visitor.get(a, HOST, "/whoami").body()).isEqualTo(second.agentId);
		second.close();
		await().atMost(Duration.ofSeconds(2)).until(() -> this.cluster.redis().commands().exists("warp:routes:" + HOST) == 0);
		// Node A's cache answers for a second at most.
		await().atMost(Duration.ofSeconds(3)).until(() -> Visitor.get(a, HOST, "/hello").status() == 503);
	}

	@Test
	void hostnameWhoseConnectionsDrainLeavesTheSharedTable() throws Exception {
		EdgeNode a = node(settings("edge-a").build());
		TestAgent agent = agent(a.tunnelPort(), a.caCertificateFile(), HOST);
		awaitRoute(HOST, "edge-a");
		agent.send(ControlMessage.of(ControlMessage.DRAIN));
		await().atMost(LEASE_TTL).until(() -> this.cluster.redis().commands().zscore("warp:routes:" + HOST, "edge-a") == null);
		assertThat(a.routeTable().hostnames()).contains(HOST);
	}

	@Test
	void nodeThatClosesRemovesItsLease() throws Exception {
		EdgeNode a = node(settings("edge-a").build());
		agent(a.tunnelPort(), a.caCertificateFile(), HOST);
		awaitRoute(HOST, "edge-a");
		assertThat(this.cluster.redis().commands().get("warp:node:edge-a")).isEqualTo("127.0.0.1:" + a.peerPort());
		assertThat(this.cluster.redis().commands().pttl("warp:node:edge-a")).isBetween(1L, LEASE_TTL.toMillis());
		a.close();
		assertThat(this.cluster.redis().keys("warp:node:")).isEmpty();
		assertThat(this.cluster.redis().keys("warp:routes:")).isEmpty();
	}

	@Test
	void redisOutageLeavesLocalTunnelsServedAndLeasesComeBack() throws Exception {
		EdgeNode a = node(settings("edge-a").build());
		EdgeNode b = nodeSharingCa("edge-b", a);
		TestAgent agent = agent(b.tunnelPort(), b.caCertificateFile(), HOST);
		awaitRoute(HOST, "edge-b");
		int port = this.cluster.redis().port();
		this.cluster.redis().close();
		// Without Redis, a node still serves its own tunnels; the others' are unknown to it.
		assertThat(Visitor.get(b, HOST, "/whoami").body()).isEqualTo(agent.agentId);
		await().atMost(Duration.ofSeconds(3)).until(() -> Visitor.get(a, HOST, "/hello").status() == 503);
		this.cluster.restartRedis(port);
		// The restarted server is empty: the next renewals write every lease and route again.
		awaitRoute(HOST, "edge-b");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.cluster.redis().commands().exists("warp:node:edge-a") == 1);
		await().atMost(Duration.ofSeconds(3)).until(() -> Visitor.get(a, HOST, "/whoami").status() == 200);
		assertThat(Visitor.get(a, HOST, "/whoami").body()).isEqualTo(agent.agentId);
	}

	@Test
	void nodeWithAnotherCaCannotJoin() {
		node(settings("edge-a").build());
		assertThatIllegalStateException().isThrownBy(() -> EdgeNode.start(settings("edge-c").build()))
			.withMessageContaining("Edge node edge-c cannot join the cluster in Redis at 127.0.0.1:")
			.withMessageContaining("copy ca.pem and ca-key.pem");
		assertThat(this.cluster.redis().keys("warp:node:")).containsExactly("warp:node:edge-a");
	}

	@Test
	void standaloneNodeHasNoPeerListener() {
		EdgeNode alone = node(settings("edge-alone").build());
		alone.close();
		EdgeSettings standalone = EdgeSettings.builder()
			.nodeId("edge-alone")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(this.temp.resolve("edge-alone"))
			.build();
		assertThat(standalone.clusterRedisUrl()).isNull();
		EdgeNode node = node(standalone);
		assertThatIllegalStateException().isThrownBy(node::peerPort).withMessageContaining("not part of a cluster");
		assertThat(Visitor.get(node, HOST, "/hello").status()).isEqualTo(503);
	}

	@Test
	void killedNodeLeavesTheSharedRouteTableWithinItsLeaseTtl() throws Exception {
		EdgeNode a = node(settings("edge-a").build());
		Path dataDirB = this.temp.resolve("edge-b");
		shareCa(a, dataDirB);
		Path log = this.temp.resolve("edge-b.log");
		Process b = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
				"-cp", System.getProperty("java.class.path"), ForkedEdgeNode.class.getName(), "edge-b", dataDirB.toString(),
				this.cluster.redis().url(), String.valueOf(LEASE_TTL.toMillis()))
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		this.cluster.closedWithTheCluster((AutoCloseable) () -> b.destroyForcibly().waitFor());
		Pattern tunnelListener = Pattern.compile("edge-b: tunnel listener on 127\\.0\\.0\\.1:(\\d+)");
		await().atMost(Duration.ofSeconds(60)).until(() -> !b.isAlive() || tunnelListener.matcher(Files.readString(log)).find()
				&& Files.readString(log).contains("edge-b: peer listener on"));
		assertThat(b.isAlive()).as(() -> "edge-b died: " + readQuietly(log)).isTrue();
		Matcher port = tunnelListener.matcher(Files.readString(log));
		assertThat(port.find()).isTrue();
		int tunnelPortB = Integer.parseInt(port.group(1));

		TestAgent onlyOnB = agent(tunnelPortB, a.caCertificateFile(), "b-only.example.test");
		agent(tunnelPortB, a.caCertificateFile(), HOST);
		agent(a.tunnelPort(), a.caCertificateFile(), HOST);
		awaitRoute("b-only.example.test", "edge-b");
		awaitRoute(HOST, "edge-b");
		awaitRoute(HOST, "edge-a");
		assertThat(this.cluster.redis().commands().get("warp:node:edge-b")).startsWith("127.0.0.1:");
		assertThat(Visitor.get(a, "b-only.example.test", "/whoami").body()).isEqualTo(onlyOnB.agentId);

		b.destroyForcibly().waitFor();
		long killed = System.nanoTime();
		// Its lease and route entries expire (or are swept by node A) within the TTL and one renewal
		// (plus a second for scheduling on a busy machine).
		Duration bound = LEASE_TTL.plus(LEASE_TTL.dividedBy(3)).plusSeconds(1);
		await().atMost(bound).pollInterval(Duration.ofMillis(50))
			.until(() -> this.cluster.redis().commands().exists("warp:node:edge-b", "warp:routes:b-only.example.test",
					"warp:owner:b-only.example.test") == 0
					&& this.cluster.redis().commands().zrange("warp:routes:" + HOST, 0, -1).equals(List.of("edge-a"))
					&& !this.cluster.redis().commands().sismember("warp:hostnames", "b-only.example.test"));
		Duration gone = Duration.ofNanos(System.nanoTime() - killed);
		assertThat(gone).isLessThanOrEqualTo(bound);
		assertThat(this.cluster.redis().keys("warp:")).containsExactlyInAnyOrder("warp:node:edge-a", "warp:routes:" + HOST,
				"warp:owner:" + HOST, "warp:hostnames", "warp:ca");
		await().atMost(Duration.ofSeconds(3)).until(() -> Visitor.get(a, "b-only.example.test", "/hello").status() == 503);
		assertThat(Visitor.get(a, HOST, "/hello").body()).isEqualTo("hello");
	}

	@Test
	void agentOfAnotherAccountIsRefusedOnANodeWhereTheOwnersAgentsAreNot() throws Exception {
		EdgeNode a = node(settings("edge-a").build());
		EdgeNode b = nodeSharingCa("edge-b", a);
		String owned = "b.test";
		TestAgent owner = agentOf(a, a, a.tokens().create(List.of("b.test")).secret(), owned);
		awaitRoute(owned, "edge-a");
		TestAgent intruder = agentOf(b, a, a.tokens().create(List.of("test")).secret(), owned);
		await().atMost(Duration.ofSeconds(5)).until(() -> !intruder.channel().isActive());
		assertThat(intruder.fromEdge).anyMatch((message) -> ControlMessage.REFUSED.equals(message.type())
				&& message.get(ControlMessage.REASON_ATTRIBUTE).contains("served by the agents of another account"));
		assertThat(b.routeTable().pool(owned)).isNull();
		assertThat(this.cluster.redis().commands().zrange("warp:routes:" + owned, 0, -1)).containsExactly("edge-a");
		for (int i = 0; i < 10; i++) {
			assertThat(Visitor.get(b, owned, "/whoami").body()).isEqualTo(owner.agentId);
		}
		assertThat(intruder.requests).doesNotContain("/whoami");
	}

	/** An agent of {@code node} with an origin certificate the provisioning of {@code issuing} issues for the token. */
	private TestAgent agentOf(EdgeNode node, EdgeNode issuing, String token, String hostname) throws Exception {
		CertificateAuthority ca = CertificateAuthority.loadOrCreate(issuing.settings().dataDir(), "unused");
		KeyPair keys = KeyPairs.generate();
		X509Certificate certificate = new OriginCertificateIssuer(issuing.tokens(), ca, Duration.ofDays(1)).issue(token,
				CertificateRequests.create(keys, hostname));
		TestAgent agent = TestAgent.connectWith(node.tunnelPort(), node.caCertificateFile(), hostname,
				new TestAgent.ClientCertificate(keys.getPrivate(), certificate, ca.certificate()));
		this.cluster.closedWithTheCluster(agent);
		return agent;
	}

	private static String readQuietly(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			return ex.toString();
		}
	}

	private static String withoutRay(String headers) {
		return String.join("\n", headers.lines().filter((line) -> !line.startsWith("warp-ray:")).toList());
	}

}
