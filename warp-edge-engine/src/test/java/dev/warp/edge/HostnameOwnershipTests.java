package dev.warp.edge;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.CertificateRequests;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.protocol.ControlMessage;
import dev.warp.edge.TestAgent.ClientCertificate;
import dev.warp.edge.provisioning.OriginCertificateIssuer;
import dev.warp.edge.routing.HostnamePool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tenant owns the hostnames its agents serve: the agent of another account, with a token whose
 * zone also covers the hostname ({@code test} covers {@code b.test}), is refused at registration
 * with a reason it can show, and never takes the owner's traffic, unless the operator lets
 * accounts share the hostname.
 */
@ExtendWith(OutputCaptureExtension.class)
class HostnameOwnershipTests {

	private static final String HOST = "b.test";

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	@AfterEach
	void stop() {
		if (this.edge != null) {
			this.edge.close();
		}
	}

	@Test
	void agentOfAnotherAccountIsRefusedWhileTheOwnersAgentServesTheHostname(CapturedOutput output) throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).build());
		try (TestAgent owner = agent(certificate(token("b.test"), HOST));
				TestAgent intruder = agent(certificate(token("test"), HOST))) {
			ControlMessage refused = intruder.fromEdge.poll(5, TimeUnit.SECONDS);
			assertThat(refused).isNotNull();
			assertThat(refused.type()).isEqualTo(ControlMessage.REFUSED);
			assertThat(refused.get(ControlMessage.REASON_ATTRIBUTE)).contains("b.test is served by the agents of another account")
				.contains("zone test")
				.contains("edge.routing.shared-hostnames");
			await().atMost(Duration.ofSeconds(5)).until(() -> !intruder.channel().isActive());
			assertThat(this.edge.routeTable().pool(HOST).connections()).hasSize(1);
			for (int i = 0; i < 20; i++) {
				assertThat(Visitor.get(this.edge, HOST, "/whoami").body()).isEqualTo(owner.agentId);
			}
			assertThat(intruder.requests).doesNotContain("/whoami");
			assertThat(output).contains("tunnel registration(s) refused").contains("b.test is served by the agents of another account");
		}
	}

	@Test
	void sharedHostnameTakesTheAgentsOfEveryAccount() throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).sharedHostnames(List.of(HOST)).build());
		try (TestAgent first = agent(certificate(token("b.test"), HOST));
				TestAgent second = agent(certificate(token("test"), HOST))) {
			await().atMost(Duration.ofSeconds(5)).until(() -> poolSize() == 2);
			assertThat(first.channel().isActive()).isTrue();
			assertThat(second.channel().isActive()).isTrue();
		}
	}

	@Test
	void tokensOfTheSameZoneAreOneAccountSoThatARotatedTokenKeepsServing() throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).build());
		try (TestAgent old = agent(certificate(token("b.test"), HOST));
				TestAgent rotated = agent(certificate(token("b.test"), HOST))) {
			await().atMost(Duration.ofSeconds(5)).until(() -> poolSize() == 2);
		}
	}

	@Test
	void sharedHostnamesMustBeHostnames() {
		assertThat(org.assertj.core.api.Assertions.catchThrowable(
				() -> EdgeSettings.builder().sharedHostnames(Set.of("not a name"))))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("not a name");
	}

	private String token(String zone) {
		return this.edge.tokens().create(List.of(zone)).secret();
	}

	/** An origin certificate as the provisioning API issues it for the token. */
	private ClientCertificate certificate(String token, String hostname) {
		CertificateAuthority ca = CertificateAuthority.loadOrCreate(this.dataDir, "unused");
		KeyPair keys = KeyPairs.generate();
		OriginCertificateIssuer issuer = new OriginCertificateIssuer(this.edge.tokens(), ca, Duration.ofDays(1));
		return new ClientCertificate(keys.getPrivate(), issuer.issue(token, CertificateRequests.create(keys, hostname)),
				ca.certificate());
	}

	/** Connects an agent; once the first is routed, so that it owns the hostname. */
	private TestAgent agent(ClientCertificate certificate) throws Exception {
		TestAgent agent = TestAgent.connectWith(this.edge.tunnelPort(), this.edge.caCertificateFile(), HOST, certificate);
		if (this.edge.routeTable().pool(HOST) == null) {
			await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select(HOST) != null);
		}
		return agent;
	}

	private int poolSize() {
		HostnamePool pool = this.edge.routeTable().pool(HOST);
		return (pool != null) ? pool.connections().size() : 0;
	}

}
