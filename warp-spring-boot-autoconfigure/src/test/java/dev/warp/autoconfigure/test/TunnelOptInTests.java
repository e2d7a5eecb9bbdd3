package dev.warp.autoconfigure.test;

import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;

import dev.warp.agent.WarpTunnel;
import dev.warp.autoconfigure.OriginCredentialsFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** A test that sets {@code spring.test.warp.enabled=true} gets the tunnel, which dials the configured edge. */
@SpringBootTest(classes = TestApplication.class, properties = { "spring.test.warp.enabled=true",
		"warp.hostname=shop.example.test", "warp.connections=1", "warp.edge.connect-timeout=2s", "warp.grace-period=1s" })
class TunnelOptInTests {

	private static final SilentEdgeAddress edge = new SilentEdgeAddress();

	@TempDir
	static Path dir;

	@Autowired
	private WarpTunnel tunnel;

	@DynamicPropertySource
	static void edge(DynamicPropertyRegistry registry) {
		Path caFile = OriginCredentialsFixture.writeCaAndCredentials(dir, "shop.example.test");
		registry.add("warp.edge.addresses", edge::address);
		registry.add("warp.edge.ca-certificate", caFile::toString);
		registry.add("warp.credentials-dir", () -> dir.resolve("credentials").toString());
	}

	@AfterAll
	static void closeEdge() throws Exception {
		edge.close();
	}

	@Test
	void theTunnelDialsTheConfiguredEdge() throws Exception {
		assertThat(this.tunnel.isRunning()).isTrue();
		try (Socket connection = edge.accept(Duration.ofSeconds(20))) {
			assertThat(connection).as("a connection from the tunnel").isNotNull();
		}
	}

}
