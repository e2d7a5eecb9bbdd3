package dev.warp.autoconfigure.test;

import java.nio.file.Path;
import java.time.Duration;

import dev.warp.agent.WarpTunnel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An ordinary {@code @SpringBootTest} of an application configured for production (hostname,
 * edge address, a wait for the edge at startup, a readiness group with the tunnel's health, no
 * token, no CA, no saved credentials): the tunnel stays off, so the test needs none of them and
 * never reaches the edge.
 */
@SpringBootTest(classes = TestApplication.class, properties = { "warp.hostname=shop.example.test",
		"warp.edge.ca-certificate=target/no-such-dir/ca.pem", "warp.credentials-dir=target/no-such-dir/credentials",
		"warp.startup.wait-for-edge=5m", "management.endpoint.health.group.readiness.include=readinessState,warp" })
@ExtendWith(OutputCaptureExtension.class)
class TunnelOffInTestsTests {

	private static final SilentEdgeAddress edge = new SilentEdgeAddress();

	@Autowired
	private ApplicationContext context;

	@DynamicPropertySource
	static void edgeAddress(DynamicPropertyRegistry registry) {
		registry.add("warp.edge.addresses", edge::address);
	}

	@AfterAll
	static void closeEdge() throws Exception {
		edge.close();
	}

	@Test
	void theTunnelIsOffAndDialsNoEdge() {
		assertThat(this.context.getBeanNamesForType(WarpTunnel.class)).isEmpty();
		assertThat(edge.accept(Duration.ofMillis(500))).as("a connection to the configured edge").isNull();
	}

	@Test
	void theContextStartsWithoutWaitingForTheEdge() {
		// Far below the configured wait for the edge, with room for a loaded build machine.
		long sinceRefresh = System.currentTimeMillis() - this.context.getStartupDate();
		assertThat(Duration.ofMillis(sinceRefresh)).isLessThan(Duration.ofMinutes(2));
	}

	@Test
	void nothingThatLooksLikeAnErrorIsPrinted(CapturedOutput output) {
		assertThat(output.getAll()).doesNotContain(" WARN ", " ERROR ", "Exception", "warp.token");
		assertThat(Path.of("target/no-such-dir")).doesNotExist();
	}

}
