package dev.warp.edge;



import dev.warp.edge.app.EdgeNodeLifecycle;
import dev.warp.edge.app.WarpEdgeApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WarpEdgeApplication}: properties reach the node, which runs with the context.
 */
class WarpEdgeApplicationTests {

	@TempDir
	Path dataDir;

	@Test
	void bindsPropertiesAndRunsTheNodeWithTheContext() {
		EdgeNode node;
		try (ConfigurableApplicationContext context = WarpEdgeApplication.application()
			.run("--edge.node-id=edge-boot", "--edge.bind-address=127.0.0.1", "--edge.public.port=0",
					"--edge.tunnel.port=0", "--edge.api.port=0", "--edge.provisioning.port=0", "--edge.data-dir=" + this.dataDir,
					"--edge.tunnel.certificate-names=localhost,127.0.0.1,edge.example.test",
					"--edge.proxy.response-timeout=5s", "--edge.tunnel.registration-timeout=3s",
					"--spring.main.keep-alive=false")) {
			node = context.getBean(EdgeNodeLifecycle.class).getEdgeNode();
			assertThat(node.nodeId()).isEqualTo("edge-boot");
			assertThat(node.publicPort()).isPositive();
			assertThat(node.tunnelPort()).isPositive();
			assertThat(node.apiPort()).isPositive();
			assertThat(node.caCertificateFile()).isEqualTo(this.dataDir.resolve("ca.pem"));
			assertThat(Files.exists(node.caCertificateFile())).isTrue();
			EdgeSettings settings = node.settings();
			assertThat(settings.tunnelCertificateNames()).containsExactly("localhost", "127.0.0.1", "edge.example.test");
			assertThat(settings.responseTimeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(settings.registrationTimeout()).isEqualTo(Duration.ofSeconds(3));
			assertThat(Visitor.get(node, "nobody.test", "/").status()).isEqualTo(503);
			assertThat(context.getBean(EdgeNodeLifecycle.class).isRunning()).isTrue();
		}
		int port = node.publicPort();
		assertThat(port).isPositive();
	}

	@Test
	void defaultSettings() {
		EdgeSettings settings = EdgeSettings.builder().build();
		assertThat(settings.nodeId()).matches("edge-[0-9a-f]{6}");
		assertThat(settings.bindAddress()).isEqualTo("0.0.0.0");
		assertThat(settings.publicPort()).isEqualTo(8080);
		assertThat(settings.tunnelPort()).isEqualTo(7844);
		assertThat(settings.apiPort()).isEqualTo(7845);
		assertThat(settings.dataDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".warp", "edge"));
		assertThat(settings.tunnelCertificateNames()).startsWith("localhost", "127.0.0.1", "::1");
		assertThat(settings.responseTimeout()).isEqualTo(Duration.ofSeconds(100));
		assertThat(settings.registrationTimeout()).isEqualTo(Duration.ofSeconds(10));
	}

}
