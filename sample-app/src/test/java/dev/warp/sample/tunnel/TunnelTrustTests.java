package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import dev.warp.agent.ConnectionState;
import dev.warp.agent.WarpTunnel;
import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.PemFiles;
import dev.warp.edge.EdgeNode;
import dev.warp.sample.SampleApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nothing is trusted blindly: an application that trusts another CA than the edge's gets no
 * connection, and both sides say which one refused and why.
 */
@ExtendWith(OutputCaptureExtension.class)
class TunnelTrustTests {

	@TempDir
	Path dir;

	@Test
	void agentTrustingAnotherCaGetsNoConnectionAndBothSidesSayWhy(CapturedOutput output) {
		Path otherCa = this.dir.resolve("other-ca.pem");
		PemFiles.writeCertificates(otherCa, CertificateAuthority.create("Some Other CA", Clock.systemUTC()).certificate());
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			ConfigurableApplicationContext app = new SpringApplicationBuilder(SampleApplication.class).run(
					"--server.port=0", "--warp.hostname=distrust.warp.test",
					"--warp.edge.addresses=127.0.0.1:" + edge.tunnelPort(), "--warp.edge.ca-certificate=" + otherCa,
					"--warp.credentials-dir=" + TunnelTestSupport.originCredentials(edge.caCertificateFile(),
							"distrust.warp.test"),
					"--warp.connections=1", "--warp.reconnect.initial-delay=5s", "--warp.reconnect.max-delay=5s");
			try {
				WarpTunnel tunnel = app.getBean(WarpTunnel.class);
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					assertThat(tunnel.connections()).singleElement().satisfies((connection) -> {
						assertThat(connection.state()).isEqualTo(ConnectionState.BACKOFF);
						assertThat(connection.lastError()).contains("The certificate of the edge at 127.0.0.1:" + edge.tunnelPort()
								+ " is not signed by the CA in warp.edge.ca-certificate (" + otherCa + ")");
					});
					assertThat(output).contains("Tunnel connection 0 for distrust.warp.test lost: The certificate of the edge")
						.contains("give it " + edge.caCertificateFile());
				});
				assertThat(edge.routeTable().hostnames()).doesNotContain("distrust.warp.test");
				TunnelTestSupport.visitor(edge, "distrust.warp.test")
					.get()
					.uri("/hello")
					.exchange()
					.expectStatus()
					.isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
			}
			finally {
				app.close();
			}
		}
	}

}
