package dev.warp.edge.provisioning;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.warp.core.pki.CertificateNames;
import dev.warp.core.pki.CertificateRequests;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.pki.PemFiles;
import dev.warp.edge.EdgeNode;
import dev.warp.edge.EdgeSettings;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The provisioning API through real TLS on loopback: a token and a CSR become an origin
 * certificate for exactly the CSR's hostname, when the token's zones cover it.
 */
class ProvisioningApiTests {

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private HttpClient client;

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(EdgeSettings.builder()
			.nodeId("edge-provisioning")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.dataDir(this.dataDir)
			.provisioning(ProvisioningSettings.defaults().withPort(0).withCertificateLifetime(Duration.ofDays(7)))
			.build());
		SslContext tls = SslContextBuilder.forClient().trustManager(this.edge.caCertificateFile().toFile()).build();
		this.client = HttpClient.create()
			.secure((spec) -> spec.sslContext(tls))
			.baseUrl("https://localhost:" + this.edge.provisioningPort());
	}

	@AfterEach
	void stop() {
		this.edge.close();
	}

	@Test
	void tokenAndCsrBecomeAClientCertificateForExactlyThatHostname() {
		String token = this.edge.tokens().create(List.of("example.test")).secret();
		KeyPair keys = KeyPairs.generate();
		Answer answer = post(token, CertificateRequests.create(keys, "a.example.test"));
		assertThat(answer.status).isEqualTo(200);
		List<X509Certificate> chain = PemFiles.parseCertificates(answer.body);
		X509Certificate certificate = chain.get(0);
		assertThat(certificate.getPublicKey()).isEqualTo(keys.getPublic());
		assertThat(CertificateNames.dnsNames(certificate)).containsExactly("a.example.test");
		assertThat(extendedKeyUsage(certificate)).containsExactly("1.3.6.1.5.5.7.3.2");
		assertThat(certificate.getNotAfter().toInstant()).isBetween(Instant.now().plus(Duration.ofDays(7)).minusSeconds(60),
				Instant.now().plus(Duration.ofDays(7)));
		assertThat(chain.get(1)).isEqualTo(PemFiles.readCertificates(this.edge.caCertificateFile()).get(0));
	}

	@Test
	void zoneApexAndDeeperNamesAreCoveredByTheirZone() {
		String token = this.edge.tokens().create(List.of("example.test")).secret();
		assertThat(post(token, CertificateRequests.create(KeyPairs.generate(), "example.test")).status).isEqualTo(200);
		assertThat(post(token, CertificateRequests.create(KeyPairs.generate(), "b.a.example.test")).status).isEqualTo(200);
	}

	@Test
	void hostnameOutsideTheTokensZonesIsForbidden() {
		String token = this.edge.tokens().create(List.of("example.test")).secret();
		Answer answer = post(token, CertificateRequests.create(KeyPairs.generate(), "other.test"));
		assertThat(answer.status).isEqualTo(403);
		assertThat(answer.body).contains("example.test").contains("other.test");
		assertThat(post(token, CertificateRequests.create(KeyPairs.generate(), "badexample.test")).status).isEqualTo(403);
	}

	@Test
	void unknownRevokedOrMissingTokenIsUnauthorized() {
		String csr = CertificateRequests.create(KeyPairs.generate(), "a.example.test");
		TokenStore.CreatedToken created = this.edge.tokens().create(List.of("example.test"));
		this.edge.tokens().revoke(created.token().id());
		assertThat(post(created.secret(), csr).status).isEqualTo(401);
		assertThat(post("warp_0123456789ab.guess", csr).status).isEqualTo(401);
		Answer missing = post(null, csr);
		assertThat(missing.status).isEqualTo(401);
		assertThat(missing.body).contains("no account token");
	}

	@Test
	void malformedCsrOrAnotherKeyTypeIsABadRequest() throws Exception {
		String token = this.edge.tokens().create(List.of("example.test")).secret();
		Answer garbage = post(token, "not a CSR");
		assertThat(garbage.status).isEqualTo(400);
		assertThat(garbage.body).contains("certificate signing request");
		KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
		rsa.initialize(2048);
		KeyPair rsaKeys = rsa.generateKeyPair();
		String rsaCsr = PemFiles.toPem(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=a.example.test"),
				rsaKeys.getPublic()).build(new JcaContentSignerBuilder("SHA256withRSA").build(rsaKeys.getPrivate())));
		Answer wrongKey = post(token, rsaCsr);
		assertThat(wrongKey.status).isEqualTo(400);
		assertThat(wrongKey.body).contains("EC P-256");
	}

	@Test
	void csrSignedWithAnotherKeyThanTheOneItCarriesIsABadRequest() throws Exception {
		String token = this.edge.tokens().create(List.of("example.test")).secret();
		KeyPair carried = KeyPairs.generate();
		KeyPair signer = KeyPairs.generate();
		String forged = PemFiles.toPem(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=a.example.test"),
				carried.getPublic())
			.build(new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(signer.getPrivate())));
		Answer answer = post(token, forged);
		assertThat(answer.status).isEqualTo(400);
		assertThat(answer.body).contains("signature");
	}

	private Answer post(@Nullable String token, String body) {
		return this.client.headers((headers) -> {
			if (token != null) {
				headers.set("Authorization", "Bearer " + token);
			}
		})
			.post()
			.uri(ProvisioningListener.PATH)
			.send(ByteBufFlux.fromString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map((text) -> new Answer(response.status().code(), text)))
			.block(Duration.ofSeconds(10));
	}

	private static List<String> extendedKeyUsage(X509Certificate certificate) {
		try {
			return certificate.getExtendedKeyUsage();
		}
		catch (CertificateParsingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record Answer(int status, String body) {
	}

}
