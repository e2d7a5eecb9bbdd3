package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Duration;

import dev.warp.agent.WarpTunnel;
import dev.warp.edge.EdgeNode;
import dev.warp.sample.SampleApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge's CA and the origin certificate come from Spring Boot SSL bundles of PEM files
 * instead of warp.edge.ca-certificate and the credentials directory: the application is served
 * through a real edge all the same.
 */
class TunnelSslBundleTests {

	private static final String HOSTNAME = "bundles.warp.test";

	@TempDir
	Path dir;

	@Test
	void applicationWithTheCaAndItsOriginCertificateInPemBundlesIsServedThroughTheEdge() {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			Path origin = TunnelTestSupport.originCredentials(edge.caCertificateFile(), HOSTNAME).resolve(HOSTNAME);
			ConfigurableApplicationContext app = new SpringApplicationBuilder(SampleApplication.class).run(
					"--server.port=0", "--warp.hostname=" + HOSTNAME, "--warp.connections=1",
					"--warp.edge.addresses=127.0.0.1:" + edge.tunnelPort(),
					"--spring.ssl.bundle.pem.warp-edge.truststore.certificate=" + edge.caCertificateFile().toUri(),
					"--spring.ssl.bundle.pem.warp-origin.keystore.certificate=" + origin.resolve("cert.pem").toUri(),
					"--spring.ssl.bundle.pem.warp-origin.keystore.private-key=" + origin.resolve("key.pem").toUri(),
					"--warp.edge.ssl-bundle=warp-edge", "--warp.origin.ssl-bundle=warp-origin");
			try {
				WarpTunnel tunnel = app.getBean(WarpTunnel.class);
				tunnel.registered().block(Duration.ofSeconds(20));
				assertThat(tunnel.settings().caCertificate()).isNull();
				TunnelTestSupport.visitor(edge, HOSTNAME)
					.get()
					.uri("/hello")
					.exchange()
					.expectStatus()
					.isOk()
					.expectBody(String.class)
					.isEqualTo("hello");
			}
			finally {
				app.close();
			}
		}
	}

}
