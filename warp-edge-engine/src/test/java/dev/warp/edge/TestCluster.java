package dev.warp.edge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import static org.awaitility.Awaitility.await;

/**
 * Edge nodes of one cluster on loopback, sharing their route table through a real Redis server
 * and their CA through their data directories, with the agents connected to them; all closed
 * together.
 */
final class TestCluster implements AutoCloseable {

	static final Duration LEASE_TTL = Duration.ofSeconds(2);

	private final Path temp;

	private RedisServer redis;

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private TestCluster(Path temp, RedisServer redis) {
		this.temp = temp;
		this.redis = redis;
	}

	/** Starts the cluster's Redis server under {@code temp}, where the nodes' data directories go too. */
	static TestCluster start(Path temp) throws Exception {
		return new TestCluster(temp, RedisServer.start(Files.createDirectories(temp.resolve("redis"))));
	}

	RedisServer redis() {
		return this.redis;
	}

	/** Restarts Redis on its port, empty. */
	void restartRedis(int port) throws Exception {
		this.redis = RedisServer.start(this.temp.resolve("redis"), port);
	}

	/** A node's settings on loopback, every port free, a 5 s response timeout. */
	EdgeSettings.Builder settings(String nodeId) {
		return EdgeSettings.builder()
			.nodeId(nodeId)
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(this.temp.resolve(nodeId))
			.responseTimeout(Duration.ofSeconds(5))
			.clusterRedisUrl(this.redis.url())
			.clusterPeerPort(0)
			.clusterLeaseTtl(LEASE_TTL);
	}

	/** Starts the cluster's first node, which makes its CA. */
	EdgeNode node(String nodeId) {
		return node(settings(nodeId).build());
	}

	EdgeNode node(EdgeSettings settings) {
		EdgeNode node = EdgeNode.start(settings);
		this.closeables.add(node);
		return node;
	}

	/** Another node of the cluster, its settings as {@code customized}: the first one's CA is copied in before it starts. */
	EdgeNode nodeSharingCa(String nodeId, EdgeNode first, UnaryOperator<EdgeSettings.Builder> customized)
			throws Exception {
		shareCa(first, this.temp.resolve(nodeId));
		return node(customized.apply(settings(nodeId)).build());
	}

	EdgeNode nodeSharingCa(String nodeId, EdgeNode first) throws Exception {
		return nodeSharingCa(nodeId, first, UnaryOperator.identity());
	}

	static void shareCa(EdgeNode first, Path dataDir) throws Exception {
		Files.createDirectories(dataDir);
		for (String file : List.of(CertificateAuthority.CERTIFICATE_FILE, CertificateAuthority.KEY_FILE)) {
			Files.copy(first.settings().dataDir().resolve(file), dataDir.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
		}
	}

	/** An agent of {@code hostname} connected to {@code node}, and registered in the shared route table. */
	TestAgent agent(EdgeNode node, String hostname) throws Exception {
		TestAgent agent = agent(node.tunnelPort(), node.caCertificateFile(), hostname);
		awaitRoute(hostname, node.nodeId());
		return agent;
	}

	TestAgent agent(int tunnelPort, Path trustedCa, String hostname) throws Exception {
		return closedWithTheCluster(TestAgent.connect(tunnelPort, trustedCa, hostname, TestAgent.ControlMode.REGISTER));
	}

	<T extends AutoCloseable> T closedWithTheCluster(T closeable) {
		this.closeables.add(closeable);
		return closeable;
	}

	void awaitRoute(String hostname, String nodeId) {
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.redis.commands().zscore("warp:routes:" + hostname, nodeId) != null);
	}

	/**
	 * An HTTP/2 client of {@code node}'s peer listener that presents a node certificate of the
	 * cluster's CA, as another node of the cluster does, named {@code nodeId}.
	 */
	HttpClient peer(EdgeNode node, String nodeId) {
		CertificateAuthority ca = CertificateAuthority.loadOrCreate(node.settings().dataDir(), "unused");
		KeyPair keys = KeyPairs.generate();
		X509Certificate certificate = ca.issueClientCertificate(keys.getPublic(), "warp-node:" + nodeId, List.of(),
				Duration.ofDays(1));
		Http2SslContextSpec tls = Http2SslContextSpec.forClient()
			.configure((builder) -> builder.trustManager(ca.certificate()).keyManager(keys.getPrivate(), certificate));
		return HttpClient.create(ConnectionProvider.newConnection())
			.protocol(HttpProtocol.H2)
			.secure((spec) -> spec.sslContext(tls))
			.baseUrl("https://127.0.0.1:" + node.peerPort());
	}

	@Override
	public void close() throws Exception {
		for (int i = this.closeables.size() - 1; i >= 0; i--) {
			this.closeables.get(i).close();
		}
		this.redis.close();
	}

}
