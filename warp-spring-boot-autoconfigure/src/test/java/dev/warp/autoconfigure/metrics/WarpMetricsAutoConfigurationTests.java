package dev.warp.autoconfigure.metrics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.warp.agent.ReconnectReason;
import dev.warp.autoconfigure.OriginCredentialsFixture;
import dev.warp.autoconfigure.tunnel.WarpTunnelAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link WarpMetricsAutoConfiguration} and the meters of {@link WarpTunnelMetrics}.
 */
class WarpMetricsAutoConfigurationTests {

	@TempDir
	static Path dir;

	static Path caFile;

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
				WarpTunnelAutoConfiguration.class, WarpMetricsAutoConfiguration.class))
		.withBean("httpHandler", HttpHandler.class, () -> (request, response) -> response.setComplete());

	@BeforeAll
	static void writeCa() {
		caFile = OriginCredentialsFixture.writeCaAndCredentials(dir, "shop.example.test");
	}

	// No edge listens on port 1: every attempt fails to connect, and is retried.
	private ReactiveWebApplicationContextRunner withTunnel() {
		return this.contextRunner.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test",
				"warp.edge.ca-certificate=" + caFile, "warp.edge.addresses=127.0.0.1:1", "warp.connections=2",
				"warp.reconnect.initial-delay=50ms", "warp.reconnect.max-delay=100ms");
	}

	@Test
	void tunnelMetersAreBoundToTheApplicationsRegistry() {
		withTunnel().run((context) -> {
			assertThat(context).hasSingleBean(WarpTunnelMetrics.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			for (String state : new String[] { "connecting", "registered", "draining", "backoff", "closed" }) {
				assertThat(registry.get("warp.tunnel.connections").tag("state", state).gauge()).isNotNull();
			}
			assertThat(registry.get("warp.tunnel.active.requests").gauge().value()).isZero();
			assertThat(registry.get("warp.tunnel.bytes").tag("direction", "received").functionCounter()).isNotNull();
			assertThat(registry.get("warp.tunnel.bytes").tag("direction", "sent").functionCounter()).isNotNull();
			assertThat(registry.get("warp.tunnel.rtt").timeGauges()).hasSize(2);
			assertThat(registry.get("warp.tunnel.rtt").tag("connection", "0").timeGauge().value()).isNaN();
			assertThat(registry.get("warp.tunnel.reconnects").functionCounters()).hasSize(ReconnectReason.values().length);
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				assertThat(registry.get("warp.tunnel.reconnects").tag("reason", "connect").functionCounter().count())
					.isGreaterThanOrEqualTo(2);
				assertThat(registry.get("warp.tunnel.connections").tag("state", "registered").gauge().value()).isZero();
			});
		});
	}

	@Test
	void originCertificateExpiryAndFailuresAreMetered() {
		withTunnel().run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			// The fixture's certificate is valid for a day.
			assertThat(registry.get("warp.tunnel.certificate.expiry").timeGauge().value(TimeUnit.HOURS))
				.isBetween(23.0, 24.0);
			assertThat(registry.get("warp.tunnel.certificate.failures").functionCounter().count()).isZero();
		});
	}

	@Test
	void noTunnelNoMetrics() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(WarpTunnelMetrics.class));
	}

	@Test
	void noMeterRegistryNoMetrics() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(WarpTunnelAutoConfiguration.class, WarpMetricsAutoConfiguration.class))
			.withBean("httpHandler", HttpHandler.class, () -> (request, response) -> response.setComplete())
			.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test", "warp.edge.ca-certificate=" + caFile,
					"warp.edge.addresses=127.0.0.1:1")
			.run((context) -> assertThat(context).hasBean("warpTunnel").doesNotHaveBean(WarpTunnelMetrics.class));
	}

	@Test
	void withoutMicrometerNoMetrics() {
		withTunnel().withClassLoader(new FilteredClassLoader(MeterBinder.class))
			.run((context) -> assertThat(context).doesNotHaveBean(WarpTunnelMetrics.class));
	}

	@Test
	void userDefinedMetricsBackOffTheAutoConfiguredOnes() {
		withTunnel().withBean("customMetrics", WarpTunnelMetrics.class)
			.run((context) -> assertThat(context).hasSingleBean(WarpTunnelMetrics.class).hasBean("customMetrics"));
	}

}
