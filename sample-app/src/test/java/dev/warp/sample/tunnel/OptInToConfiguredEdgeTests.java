package dev.warp.sample.tunnel;

import java.time.Duration;

import dev.warp.agent.WarpTunnel;
import dev.warp.edge.EdgeNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test that sets {@code spring.test.warp.enabled=true} joins the edge the application's
 * configuration names, and is served through it.
 */
@SpringBootTest(properties = { "spring.test.warp.enabled=true", "warp.connections=1" })
class OptInToConfiguredEdgeTests {

	private static final EdgeNode edge = TunnelTestSupport.startEdgeInTempDir();

	@Autowired
	private WarpTunnel tunnel;

	@DynamicPropertySource
	static void configuredEdge(DynamicPropertyRegistry registry) {
		TunnelTestSupport.productionConfiguration(registry, edge, "hello.warp.test", TunnelTestSupport.newCredentialsDir());
	}

	@AfterAll
	static void stopEdge() {
		edge.close();
	}

	@Test
	void theTunnelRegistersAtTheConfiguredEdgeAndServesThroughIt() {
		this.tunnel.registered().block(Duration.ofSeconds(30));
		assertThat(edge.routeTable().hostnames()).containsExactly("hello.warp.test");
		TunnelTestSupport.visitor(edge, "hello.warp.test")
			.get()
			.uri("/hello")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.isEqualTo("hello");
	}

}
