package dev.warp.edge;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SNIHostName;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.pki.PemFiles;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.SslHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The TLS public listener: HTTP/1.1 and HTTP/2 by ALPN, with a certificate the edge's CA issues
 * for configured names, or the operator's own; the application sees {@code X-Forwarded-Proto: https}.
 */
class PublicTlsTests {

	private static final String HOST = "shop.example.test";

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private TestAgent agent;

	@AfterEach
	void stop() {
		if (this.agent != null) {
			this.agent.close();
		}
		if (this.edge != null) {
			this.edge.close();
		}
	}

	private void start(EdgeSettings.PublicTls tls) throws Exception {
		this.edge = EdgeNode.start(EdgeSettings.builder()
			.nodeId("edge-tls")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(this.dataDir.resolve("edge"))
			.publicTls(tls)
			.build());
		this.agent = TestAgent.connect(this.edge, HOST);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select(HOST) != null);
	}

	private HttpClient https(Path trustedCa, HttpProtocol protocol) {
		HttpClient client = HttpClient.create(ConnectionProvider.newConnection())
			.host("127.0.0.1")
			.port(this.edge.publicTlsPort())
			.protocol(protocol)
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, HOST))
			.responseTimeout(Visitor.TIMEOUT);
		return (protocol == HttpProtocol.H2)
				? client.secure((spec) -> spec.sslContext(Http2SslContextSpec.forClient()
					.configure((builder) -> builder.trustManager(trustedCa.toFile()))))
				: client.secure((spec) -> spec.sslContext(Http11SslContextSpec.forClient()
					.configure((builder) -> builder.trustManager(trustedCa.toFile()))));
	}

	@Test
	void servesHttp11OverTlsWithACertificateOfTheEdgesCaForTheConfiguredNames() throws Exception {
		start(EdgeSettings.PublicTls.issued(0, List.of("*.example.test", "127.0.0.1")));
		List<String> names = new ArrayList<>();
		String body = https(this.edge.caCertificateFile(), HttpProtocol.HTTP11).get()
			.uri("/headers")
			.responseConnection((response, connection) -> {
				X509Certificate served = peerCertificate(connection.channel().pipeline().get(SslHandler.class));
				names.addAll(subjectAlternativeNames(served));
				assertThat(response.version().text()).isEqualTo("HTTP/1.1");
				return connection.inbound().receive().aggregate().asString();
			})
			.blockLast(Visitor.TIMEOUT);
		assertThat(names).contains("*.example.test", "127.0.0.1");
		assertThat(body).contains("x-forwarded-proto: https\n").contains(":scheme: https\n");
	}

	@Test
	void issuedCertificateCoversTheZonesOfTheAccountTokens() throws Exception {
		// A token created before the edge starts (as the operator command does, from the data directory).
		new dev.warp.edge.provisioning.TokenStore(this.dataDir.resolve("edge")).create(List.of("example.test"));
		start(EdgeSettings.PublicTls.issued(0, List.of("127.0.0.1")));
		List<String> names = new ArrayList<>();
		https(this.edge.caCertificateFile(), HttpProtocol.HTTP11).get()
			.uri("/hello")
			.responseConnection((response, connection) -> {
				names.addAll(subjectAlternativeNames(peerCertificate(connection.channel().pipeline().get(SslHandler.class))));
				return connection.inbound().receive().aggregate().asString();
			})
			.blockLast(Visitor.TIMEOUT);
		assertThat(names).contains("127.0.0.1", "example.test", "*.example.test");
	}

	@Test
	void aZoneOfATokenCreatedWhileTheEdgeRunsIsCoveredWithoutARestart() throws Exception {
		start(EdgeSettings.PublicTls.issued(0, List.of("127.0.0.1")));
		this.edge.tokens().create(List.of("late.test"));
		List<String> names = new ArrayList<>();
		https(this.edge.caCertificateFile(), HttpProtocol.HTTP11)
			.secure((spec) -> spec.sslContext(Http11SslContextSpec.forClient()
				.configure((builder) -> builder.trustManager(this.edge.caCertificateFile().toFile())))
				.serverNames(new SNIHostName("shop.late.test")))
			.get()
			.uri("/hello")
			.responseConnection((response, connection) -> {
				names.addAll(subjectAlternativeNames(peerCertificate(connection.channel().pipeline().get(SslHandler.class))));
				return connection.inbound().receive().aggregate().asString();
			})
			.blockLast(Visitor.TIMEOUT);
		assertThat(names).contains("127.0.0.1", "late.test", "*.late.test");
	}

	@Test
	void servesHttp2ByAlpn() throws Exception {
		start(EdgeSettings.PublicTls.issued(0, List.of("127.0.0.1")));
		String[] version = new String[1];
		String body = https(this.edge.caCertificateFile(), HttpProtocol.H2).get()
			.uri("/headers")
			.responseSingle((response, content) -> {
				version[0] = response.version().text();
				return content.asString();
			})
			.block(Visitor.TIMEOUT);
		assertThat(version[0]).isEqualTo("HTTP/2.0");
		assertThat(body).contains("x-forwarded-proto: https\n");
	}

	@Test
	void cleartextVisitorsStillSeeHttp() throws Exception {
		start(EdgeSettings.PublicTls.issued(0, List.of("127.0.0.1")));
		assertThat(Visitor.get(this.edge, HOST, "/headers").body()).contains("x-forwarded-proto: http\n");
	}

	@Test
	void servesTheOperatorsOwnCertificate() throws Exception {
		Path operator = this.dataDir.resolve("operator");
		CertificateAuthority ca = CertificateAuthority.loadOrCreate(operator, "Operator CA");
		KeyPair keys = KeyPairs.generate();
		X509Certificate certificate = ca.issueServerCertificate(keys.getPublic(), "edge", List.of("127.0.0.1"),
				Duration.ofDays(1));
		PemFiles.writeCertificates(operator.resolve("public.pem"), certificate);
		PemFiles.writePrivateKey(operator.resolve("public-key.pem"), keys.getPrivate());
		start(new EdgeSettings.PublicTls(0, List.of(), operator.resolve("public.pem"), operator.resolve("public-key.pem")));
		String body = https(operator.resolve(CertificateAuthority.CERTIFICATE_FILE), HttpProtocol.HTTP11).get()
			.uri("/hello")
			.responseContent()
			.aggregate()
			.asString()
			.block(Visitor.TIMEOUT);
		assertThat(body).isEqualTo("hello");
	}

	private static X509Certificate peerCertificate(SslHandler tls) {
		try {
			return (X509Certificate) tls.engine().getSession().getPeerCertificates()[0];
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static List<String> subjectAlternativeNames(X509Certificate certificate) {
		List<String> names = new ArrayList<>();
		try {
			for (List<?> entry : certificate.getSubjectAlternativeNames()) {
				names.add(String.valueOf(entry.get(1)));
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		return names;
	}

}
