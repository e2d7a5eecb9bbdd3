package dev.warp.autoconfigure.endpoint;

import java.nio.file.Path;
import java.time.Duration;

import dev.warp.autoconfigure.OriginCredentialsFixture;
import dev.warp.agent.WarpTunnel;
import dev.warp.autoconfigure.endpoint.WarpEndpoint.TunnelDescriptor;
import dev.warp.autoconfigure.tunnel.WarpTunnelAutoConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link WarpEndpointAutoConfiguration} and {@link WarpEndpoint}.
 */
class WarpEndpointAutoConfigurationTests {

	@TempDir
	static Path dir;

	static Path caFile;

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WarpTunnelAutoConfiguration.class, WarpEndpointAutoConfiguration.class))
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
				"warp.edge.ca-certificate=" + caFile, "warp.edge.addresses=127.0.0.1:1", "warp.connections=2",
				"warp.grace-period=1s", "warp.reconnect.initial-delay=50ms", "warp.reconnect.max-delay=100ms");
	}

	@Test
	void exposedEndpointIsAvailable() {
		withTunnel().withPropertyValues("management.endpoints.web.exposure.include=warp")
			.run((context) -> assertThat(context).hasSingleBean(WarpEndpoint.class));
	}

	@Test
	void endpointThatIsNotExposedIsNotAvailable() {
		withTunnel().run((context) -> assertThat(context).doesNotHaveBean(WarpEndpoint.class));
	}

	@Test
	void endpointCanBeTurnedOff() {
		withTunnel()
			.withPropertyValues("management.endpoints.web.exposure.include=warp", "management.endpoint.warp.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(WarpEndpoint.class));
	}

	@Test
	void noTunnelNoEndpoint() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=warp")
			.run((context) -> assertThat(context).doesNotHaveBean(WarpEndpoint.class));
	}

	@Test
	void readOperationDescribesTheTunnel() {
		withTunnel().withPropertyValues("management.endpoints.web.exposure.include=warp").run((context) -> {
			WarpEndpoint endpoint = context.getBean(WarpEndpoint.class);
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(endpoint.tunnel().reconnects().get("connect")).isGreaterThanOrEqualTo(2));
			TunnelDescriptor tunnel = endpoint.tunnel();
			assertThat(tunnel.hostname()).isEqualTo("shop.example.test");
			assertThat(tunnel.agent()).isEqualTo(context.getBean(WarpTunnel.class).settings().agentId());
			assertThat(tunnel.running()).isTrue();
			assertThat(tunnel.acceptingTraffic()).isTrue();
			assertThat(tunnel.desired()).isEqualTo(2);
			assertThat(tunnel.connected()).isZero();
			assertThat(tunnel.distinctEdges()).isZero();
			assertThat(tunnel.edgeAddresses()).containsExactly("127.0.0.1:1");
			assertThat(tunnel.connections()).hasSize(2).allSatisfy((connection) -> {
				assertThat(connection.edge()).isNull();
				assertThat(connection.rttMillis()).isNull();
				assertThat(connection.state()).isIn("connecting", "backoff");
			});
			assertThat(tunnel.requests().active()).isZero();
			assertThat(tunnel.requests().total()).isZero();
			assertThat(tunnel.reconnects()).containsOnlyKeys("connect", "tls", "registration", "heartbeat", "closed",
					"error", "edge-drain", "rebalance", "certificate-renewed", "requested");
		});
	}

	@Test
	void drainClosesTheTunnelAndReconnectOpensItAgain() {
		withTunnel().withPropertyValues("management.endpoints.web.exposure.include=warp").run((context) -> {
			WarpEndpoint endpoint = context.getBean(WarpEndpoint.class);
			TunnelDescriptor drained = endpoint.operate("drain").block(Duration.ofSeconds(10));
			assertThat(drained.running()).isFalse();
			assertThat(drained.connections()).isEmpty();
			TunnelDescriptor reopened = endpoint.operate("reconnect").block(Duration.ofSeconds(10));
			assertThat(reopened.running()).isTrue();
			assertThat(reopened.connections()).hasSize(2);
		});
	}

	@Test
	void unknownOperationIsABadRequest() {
		withTunnel().withPropertyValues("management.endpoints.web.exposure.include=warp")
			.run((context) -> assertThatExceptionOfType(InvalidEndpointRequestException.class)
				.isThrownBy(() -> context.getBean(WarpEndpoint.class).operate("explode"))
				.withMessageContaining("reconnect or drain"));
	}

}
