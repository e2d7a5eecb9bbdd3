package dev.warp.autoconfigure.health;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.warp.autoconfigure.OriginCredentialsFixture;
import dev.warp.autoconfigure.tunnel.WarpTunnelAutoConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link WarpHealthContributorAutoConfiguration} and {@link WarpHealthIndicator}.
 */
class WarpHealthContributorAutoConfigurationTests {

	@TempDir
	static Path dir;

	static Path caFile;

	// No edge listens on port 1: the tunnel stays down and keeps retrying.
	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(WarpTunnelAutoConfiguration.class, WarpHealthContributorAutoConfiguration.class))
		.withBean("httpHandler", HttpHandler.class, () -> (request, response) -> response.setComplete());

	@BeforeAll
	static void writeCa() {
		caFile = OriginCredentialsFixture.writeCaAndCredentials(dir, "shop.example.test");
	}

	private ReactiveWebApplicationContextRunner withTunnel() {
		return this.contextRunner.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test",
				"warp.edge.ca-certificate=" + caFile, "warp.edge.addresses=127.0.0.1:1", "warp.connections=2",
				"warp.reconnect.initial-delay=50ms", "warp.reconnect.max-delay=100ms");
	}

	@Test
	void tunnelGetsAHealthIndicatorNamedWarp() {
		withTunnel().run((context) -> assertThat(context).hasSingleBean(WarpHealthIndicator.class)
			.hasBean("warpHealthIndicator"));
	}

	@Test
	void noTunnelNoHealthIndicator() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(WarpHealthIndicator.class));
	}

	@Test
	void healthIndicatorCanBeDisabled() {
		withTunnel().withPropertyValues("management.health.warp.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(WarpHealthIndicator.class));
	}

	@Test
	void withoutSpringBootHealthNoHealthIndicator() {
		withTunnel().withClassLoader(new FilteredClassLoader(ConditionalOnEnabledHealthIndicator.class))
			.run((context) -> assertThat(context).doesNotHaveBean(WarpHealthIndicator.class));
	}

	@Test
	void userDefinedWarpHealthIndicatorBacksOffTheAutoConfiguredOne() {
		withTunnel()
			.withBean("warpHealthIndicator", ReactiveHealthIndicator.class,
					() -> () -> Mono.just(Health.outOfService().build()))
			.run((context) -> assertThat(context).doesNotHaveBean(WarpHealthIndicator.class));
	}

	@Test
	void tunnelWithoutRegisteredConnectionIsDownAndSaysWhy() {
		withTunnel().run((context) -> {
			WarpHealthIndicator indicator = context.getBean(WarpHealthIndicator.class);
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				Health health = indicator.health().block(Duration.ofSeconds(5));
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				Map<String, Object> details = health.getDetails();
				assertThat(details).containsEntry("hostname", "shop.example.test")
					.containsEntry("desired", 2)
					.containsEntry("connected", 0)
					.containsEntry("distinctEdges", 0L)
					.containsEntry("acceptingTraffic", true);
				List<Map<String, Object>> connections = connections(details);
				assertThat(connections).hasSize(2).allSatisfy((connection) -> assertThat(connection)
					.containsOnlyKeys("index", "edge", "edgeAddress", "state", "since", "rttMillis", "activeStreams",
							"lastError")
					.containsEntry("edge", null)
					.containsEntry("edgeAddress", "127.0.0.1:1")
					.containsEntry("state", "backoff")
					.containsEntry("rttMillis", null)
					.containsEntry("activeStreams", 0)
					.hasEntrySatisfying("lastError",
							(error) -> assertThat((String) error).contains("Cannot connect to the edge at 127.0.0.1:1")));
				assertThat(connections).extracting((connection) -> connection.get("index")).containsExactly(0, 1);
			});
		});
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> connections(Map<String, Object> details) {
		return (List<Map<String, Object>>) details.get("connections");
	}

}
