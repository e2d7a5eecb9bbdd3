package dev.warp.edge;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.edge.TestAgent.ClientCertificate;
import dev.warp.edge.provisioning.ProvisioningSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every tunnel connection is mutually authenticated through a real TLS handshake on loopback: the
 * edge requires an origin certificate from its CA, and accepts a registration only for the
 * hostname in that certificate.
 */
@ExtendWith(OutputCaptureExtension.class)
class TunnelMutualTlsTests {

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private CertificateAuthority ca;

	@BeforeEach
	void start() {
		this.edge = EdgeNode.start(EdgeSettings.builder()
			.nodeId("edge-mtls")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.dataDir(this.dataDir)
			.provisioning(ProvisioningSettings.defaults().withPort(0).withRevocationCheckInterval(Duration.ofMillis(200)))
			.build());
		this.ca = CertificateAuthority.loadOrCreate(this.dataDir, "unused");
	}

	@AfterEach
	void stop() {
		this.edge.close();
	}

	@Test
	void originCertificateForItsHostnameRegistersAndIsServed() throws Exception {
		try (TestAgent agent = TestAgent.connectWith(this.edge.tunnelPort(), this.edge.caCertificateFile(),
				"a.example.test", ClientCertificate.issue(this.ca, "a.example.test"))) {
			await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select("a.example.test") != null);
			assertThat(Visitor.get(this.edge, "a.example.test", "/hello").body()).isEqualTo("hello");
		}
	}

	@Test
	void agentWithoutClientCertificateFailsTheHandshake() throws Exception {
		Path caOnly = this.dataDir.resolve("elsewhere/ca.pem");
		java.nio.file.Files.createDirectories(caOnly.getParent());
		java.nio.file.Files.copy(this.edge.caCertificateFile(), caOnly);
		try (TestAgent agent = TestAgent.connect(this.edge.tunnelPort(), caOnly, "a.example.test",
				TestAgent.ControlMode.REGISTER)) {
			await().atMost(Duration.ofSeconds(5)).until(() -> !agent.channel().isActive());
			assertThat(this.edge.routeTable().select("a.example.test")).isNull();
		}
	}

	@Test
	void certificateForOneHostnameCannotRegisterAnother(CapturedOutput output) throws Exception {
		try (TestAgent agent = TestAgent.connectWith(this.edge.tunnelPort(), this.edge.caCertificateFile(),
				"b.example.test", ClientCertificate.issue(this.ca, "a.example.test"))) {
			await().atMost(Duration.ofSeconds(5)).until(() -> !agent.channel().isActive());
			assertThat(this.edge.routeTable().select("b.example.test")).isNull();
			assertThat(this.edge.routeTable().select("a.example.test")).isNull();
			assertThat(output).contains("registered b.example.test but its origin certificate is for [a.example.test]");
		}
	}

	@Test
	void revokedCertificateIsRefusedAndItsOpenConnectionClosed(CapturedOutput output) throws Exception {
		ClientCertificate certificate = ClientCertificate.issue(this.ca, "a.example.test");
		try (TestAgent agent = TestAgent.connectWith(this.edge.tunnelPort(), this.edge.caCertificateFile(),
				"a.example.test", certificate)) {
			await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select("a.example.test") != null);
			this.edge.revocations().revoke(certificate.chain()[0].getSerialNumber().toString(16));
			await().atMost(Duration.ofSeconds(5)).until(() -> !agent.channel().isActive());
			assertThat(this.edge.routeTable().select("a.example.test")).isNull();
			assertThat(output).contains("was revoked");
		}
		try (TestAgent again = TestAgent.connectWith(this.edge.tunnelPort(), this.edge.caCertificateFile(),
				"a.example.test", certificate)) {
			await().atMost(Duration.ofSeconds(5)).until(() -> !again.channel().isActive());
			assertThat(this.edge.routeTable().select("a.example.test")).isNull();
		}
	}

	@Test
	void connectionIsClosedWhenItsCertificateExpires(CapturedOutput output) throws Exception {
		KeyPair keys = KeyPairs.generate();
		X509Certificate shortLived = this.ca.issueClientCertificate(keys.getPublic(), "a.example.test",
				List.of("a.example.test"), Duration.ofSeconds(2));
		try (TestAgent agent = TestAgent.connectWith(this.edge.tunnelPort(), this.edge.caCertificateFile(),
				"a.example.test", new ClientCertificate(keys.getPrivate(), shortLived, this.ca.certificate()))) {
			await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select("a.example.test") != null);
			agent.channel().closeFuture().await(10, TimeUnit.SECONDS);
			assertThat(agent.channel().isActive()).isFalse();
			assertThat(this.edge.routeTable().select("a.example.test")).isNull();
			assertThat(output).contains("expired at");
		}
	}

}
