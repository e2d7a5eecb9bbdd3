package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.warp.agent.ReconnectReason;
import dev.warp.agent.WarpTunnel;
import dev.warp.agent.internal.credentials.CredentialsStore;
import dev.warp.core.pki.CertificateAuthority;
import dev.warp.edge.EdgeNode;
import dev.warp.sample.SampleApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The mistakes a newcomer makes, each with one clear message at startup.
 */
@ExtendWith(OutputCaptureExtension.class)
class TunnelConfigurationMistakesTests {

	static final String HOST = "shop.example.test";

	@TempDir
	Path dir;

	@Test
	void aMisspeltHostnameIsNamedAndTheTunnelStaysOff(CapturedOutput output) {
		// Without the sample's application.yaml, which sets warp.hostname.
		try (ConfigurableApplicationContext app = run("--spring.config.name=no-such-configuration",
				"--warp.hostnmae=" + HOST, "--warp.token=warp_0.x")) {
			assertThat(app.getBeanNamesForType(WarpTunnel.class)).isEmpty();
			assertThat(output).contains("Unknown property warp.hostnmae")
				.contains("did you mean warp.hostname?")
				.containsPattern("warp\\.\\* properties are set \\([^)]*warp\\.hostnmae[^)]*\\) but warp\\.hostname is not, "
						+ "so the Warp tunnel stays off");
		}
	}

	@Test
	void aMisspeltEdgeAddressIsNamedAndTheDefaultDialledSaysItIsTheDefault(CapturedOutput output) throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"));
				ConfigurableApplicationContext app = run("--warp.hostname=" + HOST,
						"--warp.edge.adresses=127.0.0.1:" + edge.tunnelPort(),
						"--warp.edge.ca-certificate=" + edge.caCertificateFile(),
						"--warp.edge.provisioning-url=" + TunnelTestSupport.provisioningUrl(edge),
						"--warp.token=" + edge.tokens().create(List.of("example.test")).secret())) {
			assertThat(app.getBean(WarpTunnel.class).settings().edgeAddresses()).hasToString("[localhost:7844]");
			assertThat(output).contains("Unknown property warp.edge.adresses")
				.contains("did you mean warp.edge.addresses?")
				.contains("to [localhost:7844] (the default: warp.edge.addresses is not set)");
		}
	}

	@Test
	void anUnsetEnvironmentVariableIsNamed(CapturedOutput output) {
		org.assertj.core.api.Assertions.assertThatException()
			.isThrownBy(() -> run("--warp.hostname=" + HOST, "--warp.token=${WARP_TOKEN_NOT_SET_IN_THIS_TEST}"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("warp.token = '${WARP_TOKEN_NOT_SET_IN_THIS_TEST}'")
			.contains("the environment variable WARP_TOKEN_NOT_SET_IN_THIS_TEST is not set")
			.doesNotContain("401");
	}

	@Test
	void anEdgeNotSignedByTheConfiguredCaIsSaidOnceWithoutStackTracesAndTheSavedCertificateIsKept(CapturedOutput output)
			throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			Path credentials = TunnelTestSupport.originCredentials(edge.caCertificateFile(), HOST);
			String saved = new CredentialsStore(credentials, HOST).load().serial();
			Path otherCa = this.dir.resolve("other");
			CertificateAuthority.loadOrCreate(otherCa, "Another CA");
			try (ConfigurableApplicationContext app = run("--warp.hostname=" + HOST,
					"--warp.edge.addresses=127.0.0.1:" + edge.tunnelPort(),
					"--warp.edge.ca-certificate=" + otherCa.resolve("ca.pem"),
					"--warp.edge.provisioning-url=" + TunnelTestSupport.provisioningUrl(edge),
					"--warp.token=" + edge.tokens().create(List.of("example.test")).secret(),
					"--warp.credentials-dir=" + credentials)) {
				WarpTunnel tunnel = app.getBean(WarpTunnel.class);
				await().atMost(Duration.ofSeconds(30))
					.until(() -> tunnel.statistics().reconnects(ReconnectReason.TLS) >= 3);
				String notSigned = "is not signed by the CA in warp.edge.ca-certificate (" + otherCa.resolve("ca.pem")
						+ "): set warp.edge.ca-certificate to the ca.pem in that edge's data directory";
				assertThat(output.getOut()).containsOnlyOnce(notSigned)
					.contains("the provisioning API at " + TunnelTestSupport.provisioningUrl(edge)
							+ " presents a certificate that is not signed by the trusted edge CA")
					.doesNotContain("cannot be reached")
					.doesNotContain("The connection observed an error")
					.doesNotContain("\tat ");
				assertThat(tunnel.credentials().serial()).isEqualTo(saved);
				assertThat(new CredentialsStore(credentials, HOST).load().serial()).isEqualTo(saved);
			}
		}
	}

	@Test
	void theVisitorPortGivenAsTheTunnelAddressIsNamed() throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			assertThat(lastErrorDialling(edge, edge.publicPort())).isEqualTo("The address 127.0.0.1:" + edge.publicPort()
					+ " (warp.edge.addresses) answers plain HTTP: it seems to be the edge's visitor port (edge.public.port, "
					+ "default 8080), not its tunnel port: give the edge's edge.tunnel.port (default 7844) in "
					+ "warp.edge.addresses");
		}
	}

	@Test
	void theProvisioningPortGivenAsTheTunnelAddressIsNamed() throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			assertThat(lastErrorDialling(edge, edge.provisioningPort()))
				.contains("it seems to be the edge's provisioning port (edge.provisioning.port, default 7847)")
				.contains("give the edge's edge.tunnel.port (default 7844) in warp.edge.addresses");
		}
	}

	/** The error of the tunnel's connection when it dials a port of the edge with a valid certificate. */
	private String lastErrorDialling(EdgeNode edge, int port) {
		try (ConfigurableApplicationContext app = run("--warp.hostname=" + HOST, "--warp.edge.addresses=127.0.0.1:" + port,
				"--warp.edge.ca-certificate=" + edge.caCertificateFile(),
				"--warp.credentials-dir=" + TunnelTestSupport.originCredentials(edge.caCertificateFile(), HOST))) {
			WarpTunnel tunnel = app.getBean(WarpTunnel.class);
			await().atMost(Duration.ofSeconds(20)).until(() -> tunnel.connections().get(0).lastError() != null);
			return tunnel.connections().get(0).lastError();
		}
	}

	/** Starts the sample app without waiting for its tunnel. */
	private static ConfigurableApplicationContext run(String... args) {
		List<String> all = new ArrayList<>(List.of("--server.port=0", "--warp.connections=1",
				"--warp.reconnect.initial-delay=100ms", "--warp.reconnect.max-delay=1s"));
		all.addAll(List.of(args));
		if (all.stream().noneMatch((arg) -> arg.startsWith("--warp.credentials-dir="))) {
			all.add("--warp.credentials-dir=" + TunnelTestSupport.newCredentialsDir());
		}
		return new SpringApplicationBuilder(SampleApplication.class).run(all.toArray(String[]::new));
	}

}
