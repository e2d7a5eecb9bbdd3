package dev.warp.edge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.warp.edge.AcmeSettings.Challenge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ACME certificates in a cluster of edge nodes sharing a real Redis: one node orders a hostname's
 * certificate from a real CA (pebble) and every node serves it; a node does not order a hostname
 * whose lock another node holds; the CA's validation may reach any node.
 */
class AcmeClusterTests {

	private static final String ZONE = "example.test";

	private static final String HOST = "shop.example.test";

	@TempDir
	Path dir;

	private RedisServer redis;

	private PebbleServer pebble;

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@BeforeEach
	void start() throws Exception {
		this.redis = RedisServer.start(Files.createDirectories(this.dir.resolve("redis")));
		this.pebble = PebbleServer.prepare(this.dir.resolve("pebble"));
	}

	@AfterEach
	void stop() throws Exception {
		for (int i = this.closeables.size() - 1; i >= 0; i--) {
			this.closeables.get(i).close();
		}
		this.pebble.close();
		this.redis.close();
	}

	private EdgeNode node(String nodeId) {
		return node(nodeId, Challenge.HTTP_01);
	}

	private EdgeNode node(String nodeId, Challenge challenge) {
		EdgeSettings.Builder settings = TestEdges.onLoopback(this.dir.resolve(nodeId))
			.nodeId(nodeId)
			.publicTls(EdgeSettings.PublicTls.issued(0, List.of("127.0.0.1")))
			.clusterRedisUrl(this.redis.url())
			.clusterPeerPort(0);
		settings.acme()
			.directoryUrl(this.pebble.directoryUrl())
			.acceptTerms(true)
			.trustedCaFile(this.pebble.httpsCa())
			.challenges(List.of(challenge))
			.handshakeWait(Duration.ofSeconds(1));
		EdgeNode node = EdgeNode.start(settings.build());
		this.closeables.add(node);
		node.tokens().create(List.of(ZONE));
		return node;
	}

	@Test
	void everyNodeServesTheCertificateOneNodeObtained() throws Exception {
		EdgeNode a = node("edge-a");
		EdgeClusterTests.shareCa(a, this.dir.resolve("edge-b"));
		EdgeNode b = node("edge-b");
		this.pebble.start(a.publicPort(), a.publicTlsPort(), Duration.ofDays(90));
		this.closeables.add(TestAgent.connect(a, HOST));
		await().atMost(Duration.ofSeconds(60)).until(() -> a.acme().current(HOST) != null);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> ServedCertificates.of(b, HOST).getSerialNumber()
				.equals(ServedCertificates.of(a, HOST).getSerialNumber()));
		assertThat(a.acme().issuedCount()).isOne();
		assertThat(b.acme().issuedCount()).isZero();
	}

	@Test
	void aNodeOrdersNothingWhileAnotherHoldsTheHostnamesLock() throws Exception {
		EdgeNode node = node("edge-a");
		this.pebble.start(node.publicPort(), node.publicTlsPort(), Duration.ofDays(90));
		this.redis.commands().set("warp:acme:lock:" + HOST, "edge-elsewhere");
		// The handshake gets the fallback once its wait is over; no order was made.
		assertThat(ServedCertificates.of(node, HOST).getIssuerX500Principal().getName()).doesNotContain("Pebble");
		assertThat(node.acme().issuedCount()).isZero();
		assertThat(this.pebble.log()).doesNotContain(HOST);
		// The lock is given back (or expires): the node orders.
		this.redis.commands().del("warp:acme:lock:" + HOST);
		await().atMost(Duration.ofSeconds(60)).until(() -> node.acme().current(HOST) != null);
	}

	@Test
	void anHttp01ValidationThatReachesAnotherNodeIsAnswered() throws Exception {
		awaitCertificateValidatedByTheOtherNode(Challenge.HTTP_01);
	}

	@Test
	void aTlsAlpn01ValidationThatReachesAnotherNodeIsAnswered() throws Exception {
		awaitCertificateValidatedByTheOtherNode(Challenge.TLS_ALPN_01);
	}

	/** Node A orders (its agent registered there); the CA validates at node B's listeners. */
	private void awaitCertificateValidatedByTheOtherNode(Challenge challenge) throws Exception {
		EdgeNode a = node("edge-a", challenge);
		EdgeClusterTests.shareCa(a, this.dir.resolve("edge-b"));
		EdgeNode b = node("edge-b", challenge);
		this.pebble.start(b.publicPort(), b.publicTlsPort(), Duration.ofDays(90));
		this.closeables.add(TestAgent.connect(a, HOST));
		await().atMost(Duration.ofSeconds(60)).until(() -> a.acme().current(HOST) != null);
		assertThat(a.acme().issuedCount()).isOne();
	}

}
