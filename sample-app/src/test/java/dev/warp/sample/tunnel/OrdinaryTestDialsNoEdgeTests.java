package dev.warp.sample.tunnel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import dev.warp.agent.WarpTunnel;
import dev.warp.edge.EdgeNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An ordinary {@code @SpringBootTest} of the sample configured as for production, with a valid
 * token, against an edge that runs at the configured address: the test opens no connection to
 * it, and nothing registers there.
 */
@SpringBootTest
class OrdinaryTestDialsNoEdgeTests {

	private static final EdgeNode edge = TunnelTestSupport.startEdgeInTempDir();

	private static final Path credentialsDir = TunnelTestSupport.newCredentialsDir();

	@Autowired
	private ApplicationContext context;

	@DynamicPropertySource
	static void productionLikeConfiguration(DynamicPropertyRegistry registry) {
		TunnelTestSupport.productionConfiguration(registry, edge, "hello.warp.test", credentialsDir);
	}

	@AfterAll
	static void stopEdge() {
		edge.close();
	}

	@Test
	void nothingRegistersAtTheEdge() throws IOException {
		// A tunnel registers within a second of startup on loopback: give one that would plenty of time.
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(5))
			.until(() -> edge.routeTable().hostnames().isEmpty());
		try (Stream<Path> files = Files.list(credentialsDir)) {
			assertThat(files).as("origin credentials obtained from the edge").isEmpty();
		}
		assertThat(this.context.getBeanNamesForType(WarpTunnel.class)).isEmpty();
	}

}
