package dev.warp.autoconfigure.availability;

import java.nio.file.Path;
import java.time.Duration;

import dev.warp.autoconfigure.OriginCredentialsFixture;
import dev.warp.agent.WarpTunnel;
import dev.warp.autoconfigure.tunnel.WarpTunnelAutoConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link WarpAvailabilityAutoConfiguration} and {@link WarpAvailabilityListener}.
 * What the edge makes of it is tested end to end in the sample application.
 */
class WarpAvailabilityAutoConfigurationTests {

	@TempDir
	static Path dir;

	static Path caFile;

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(WarpTunnelAutoConfiguration.class, WarpAvailabilityAutoConfiguration.class))
		.withBean("httpHandler", HttpHandler.class, () -> (request, response) -> response.setComplete());

	@BeforeAll
	static void writeCa() {
		caFile = OriginCredentialsFixture.writeCaAndCredentials(dir, "shop.example.test");
	}

	// No edge listens on port 1: the tunnel stays down and keeps retrying.
	private ReactiveWebApplicationContextRunner withTunnel() {
		return this.contextRunner.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test",
				"warp.edge.ca-certificate=" + caFile, "warp.edge.addresses=127.0.0.1:1", "warp.grace-period=1s");
	}

	@Test
	void noTunnelNoListener() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(WarpAvailabilityListener.class));
	}

	@Test
	void readinessDecidesWhetherTheTunnelAcceptsTraffic() {
		withTunnel().run((context) -> {
			WarpTunnel tunnel = context.getBean(WarpTunnel.class);
			assertThat(tunnel.isAcceptingTraffic()).isTrue();
			AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
			assertThat(tunnel.isAcceptingTraffic()).isFalse();
			assertThat(tunnel.isRunning()).isTrue();
			AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
			assertThat(tunnel.isAcceptingTraffic()).isTrue();
		});
	}

	@Test
	void brokenLivenessClosesTheTunnelAndCorrectLivenessOpensItAgain() {
		withTunnel().run((context) -> {
			WarpTunnel tunnel = context.getBean(WarpTunnel.class);
			AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
			assertThat(tunnel.isRunning()).isTrue();
			AvailabilityChangeEvent.publish(context, LivenessState.BROKEN);
			assertThat(tunnel.isRunning()).isFalse();
			await().atMost(Duration.ofSeconds(5)).until(() -> tunnel.connections().isEmpty());
			AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
			assertThat(tunnel.isRunning()).isTrue();
			assertThat(tunnel.connections()).hasSize(4);
		});
	}

}
