package dev.warp.edge.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.edge.EdgeNode;
import dev.warp.edge.EdgeSettings;
import dev.warp.edge.RedisServer;
import io.netty.handler.ssl.SslContextBuilder;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.tcp.SslProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The peer listener lets in edge nodes of its cluster only: a client must present a node
 * certificate issued by the cluster's CA.
 */
class PeerListenerTrustTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@TempDir
	Path temp;

	private RedisServer redis;

	private EdgeNode node;

	private CertificateAuthority clusterCa;

	@BeforeEach
	void start() throws Exception {
		this.redis = RedisServer.start(Files.createDirectories(this.temp.resolve("redis")));
		this.node = EdgeNode.start(EdgeSettings.builder()
			.nodeId("edge-a")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(this.temp.resolve("edge-a"))
			.clusterRedisUrl(this.redis.url())
			.clusterPeerPort(0)
			.build());
		this.clusterCa = CertificateAuthority.loadOrCreate(this.temp.resolve("edge-a"), "unused");
	}

	@AfterEach
	void stop() throws Exception {
		this.node.close();
		this.redis.close();
	}

	@Test
	void nodeOfTheClusterIsServedFromLocalTunnelsOnlyWithItsRay() {
		KeyPair keys = KeyPairs.generate();
		X509Certificate node = this.clusterCa.issueClientCertificate(keys.getPublic(), PeerTls.NODE_NAME_PREFIX + "edge-b",
				List.of(), Duration.ofDays(1));
		Answer answer = request(keys, node);
		assertThat(answer.status()).isEqualTo(503);
		// A node never forwards a peer's request again: no loops.
		assertThat(answer.body())
			.isEqualTo("No healthy tunnel for hostname shop.example.test on edge node edge-a (Warp-Ray: ray-from-b)\n");
	}

	@Test
	void clientWithoutCertificateIsRefused() {
		assertThatThrownBy(() -> request(null, null)).isNotNull();
	}

	@Test
	void certificateOfTheClusterCaThatIsNotANodeCertificateIsRefused() {
		KeyPair keys = KeyPairs.generate();
		X509Certificate agent = this.clusterCa.issueClientCertificate(keys.getPublic(), "shop.example.test",
				List.of("shop.example.test"), Duration.ofDays(1));
		assertThatThrownBy(() -> request(keys, agent)).isNotNull();
	}

	@Test
	void nodeCertificateOfAnotherCaIsRefused() {
		CertificateAuthority other = CertificateAuthority.create("Other CA", Clock.systemUTC());
		KeyPair keys = KeyPairs.generate();
		X509Certificate node = other.issueClientCertificate(keys.getPublic(), PeerTls.NODE_NAME_PREFIX + "edge-x",
				List.of(), Duration.ofDays(1));
		assertThatThrownBy(() -> request(keys, node)).isNotNull();
	}

	@Test
	void nodeOfTheClusterThatDoesNotSpeakHttp2IsRefused() {
		KeyPair keys = KeyPairs.generate();
		X509Certificate node = this.clusterCa.issueClientCertificate(keys.getPublic(), PeerTls.NODE_NAME_PREFIX + "edge-b",
				List.of(), Duration.ofDays(1));
		assertThatThrownBy(() -> request(keys, node, HttpProtocol.HTTP11)).isNotNull();
	}

	private Answer request(@Nullable KeyPair keys, @Nullable X509Certificate certificate) {
		return request(keys, certificate, HttpProtocol.H2);
	}

	private Answer request(@Nullable KeyPair keys, @Nullable X509Certificate certificate, HttpProtocol protocol) {
		Consumer<SslContextBuilder> credentials = (builder) -> {
			builder.trustManager(this.clusterCa.certificate());
			if (keys != null && certificate != null) {
				builder.keyManager(keys.getPrivate(), certificate);
			}
		};
		SslProvider.ProtocolSslContextSpec tls = (protocol == HttpProtocol.H2)
				? Http2SslContextSpec.forClient().configure(credentials)
				: Http11SslContextSpec.forClient().configure(credentials);
		ConnectionProvider connections = ConnectionProvider.newConnection();
		try {
			return HttpClient.create(connections)
				.protocol(protocol)
				.secure((spec) -> spec.sslContext(tls))
				.headers((headers) -> headers.set("host", "shop.example.test").set("warp-ray", "ray-from-b"))
				.get()
				.uri("https://127.0.0.1:" + this.node.peerPort() + "/hello")
				.responseSingle((response, body) -> body.asString()
					.defaultIfEmpty("")
					.map((text) -> new Answer(response.status().code(), text)))
				.block(TIMEOUT);
		}
		finally {
			connections.dispose();
		}
	}

	private record Answer(int status, String body) {
	}

}
