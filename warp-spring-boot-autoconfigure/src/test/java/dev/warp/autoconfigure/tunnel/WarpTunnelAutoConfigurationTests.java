package dev.warp.autoconfigure.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.warp.agent.EdgeAddress;
import dev.warp.agent.TunnelSettings;
import dev.warp.agent.WarpTunnel;
import dev.warp.agent.management.ManagementEndpointPaths;
import dev.warp.autoconfigure.OriginCredentialsFixture;
import dev.warp.autoconfigure.endpoint.WarpEndpointAutoConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;

class WarpTunnelAutoConfigurationTests {

	@TempDir
	static Path dir;

	static Path caFile;

	// No edge listens on port 1: the tunnel keeps retrying in the background, which these tests ignore.
	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WarpTunnelAutoConfiguration.class))
		.withUserConfiguration(HandlerConfiguration.class)
		.withPropertyValues("warp.edge.addresses=127.0.0.1:1");

	@BeforeAll
	static void writeCa() {
		caFile = OriginCredentialsFixture.writeCaAndCredentials(dir, "shop.example.test");
	}

	@Test
	void withoutHostnameNothingStarts() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(WarpTunnel.class)
			.doesNotHaveBean(WarpTunnelLifecycle.class));
	}

	@Test
	void disabledTunnelDoesNotStartEvenWithHostname() {
		this.contextRunner.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test", "warp.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(WarpTunnel.class));
	}

	@Test
	void nonWebApplicationGetsNoTunnel() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(WarpTunnelAutoConfiguration.class))
			.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test", "warp.edge.ca-certificate=" + caFile)
			.run((context) -> assertThat(context).doesNotHaveBean(WarpTunnel.class));
	}

	@Test
	void hostnameOpensTunnelThatStartsWithTheContext() {
		this.contextRunner.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test", "warp.edge.ca-certificate=" + caFile)
			.run((context) -> {
				assertThat(context).hasSingleBean(WarpTunnel.class).hasSingleBean(WarpTunnelLifecycle.class);
				assertThat(context.getBean(WarpTunnel.class).isRunning()).isTrue();
				assertThat(context.getBean(WarpTunnel.class).connections()).hasSize(4);
			});
	}

	@Test
	void propertiesBindToTunnelSettings() {
		this.contextRunner
			.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=Shop.Example.Test", "warp.edge.ca-certificate=" + caFile,
					"warp.edge.addresses=edge-a.test:7844,[::1]:9000", "warp.connections=2", "warp.grace-period=5s",
					"warp.reconnect.initial-delay=200ms", "warp.reconnect.max-delay=3s", "warp.edge.connect-timeout=2s",
					"warp.heartbeat.interval=750ms", "warp.heartbeat.max-missed=4")
			.run((context) -> {
				TunnelSettings settings = context.getBean(TunnelSettings.class);
				assertThat(settings.hostname()).isEqualTo("shop.example.test");
				assertThat(settings.edgeAddresses()).containsExactly(new EdgeAddress("edge-a.test", 7844),
						new EdgeAddress("::1", 9000));
				assertThat(settings.connections()).isEqualTo(2);
				assertThat(settings.gracePeriod()).isEqualTo(Duration.ofSeconds(5));
				assertThat(settings.initialBackoff()).isEqualTo(Duration.ofMillis(200));
				assertThat(settings.maxBackoff()).isEqualTo(Duration.ofSeconds(3));
				assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
				assertThat(settings.caCertificate()).isEqualTo(caFile);
				assertThat(settings.heartbeatInterval()).isEqualTo(Duration.ofMillis(750));
				assertThat(settings.heartbeatMisses()).isEqualTo(4);
			});
	}

	@Test
	void userDefinedTunnelBacksOffTheAutoConfiguredOne() {
		this.contextRunner.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test", "warp.edge.ca-certificate=" + caFile)
			.withBean("customTunnel", WarpTunnel.class,
					() -> new WarpTunnel(TunnelSettings.builder("custom.example.test")
						.caCertificate(caFile)
						.credentialsDir(dir.resolve("credentials"))
						.token("warp_0.offline")
						.provisioningUrl(java.net.URI.create("https://127.0.0.1:1"))
						.build(),
							(request, response) -> Mono.empty()))
			.run((context) -> assertThat(context).hasSingleBean(WarpTunnel.class)
				.getBean(WarpTunnel.class)
				.extracting((tunnel) -> tunnel.settings().hostname())
				.isEqualTo("custom.example.test"));
	}

	@Test
	void missingCaCertificateFailsStartupWithAnExplanation() {
		Path missing = dir.resolve("nowhere/ca.pem");
		this.contextRunner.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test", "warp.edge.ca-certificate=" + missing)
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new WarpCaCertificateFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains(missing.toString()).contains("does not exist");
				assertThat(analysis.getAction()).contains("warp.edge.ca-certificate").contains("ca.pem");
			});
	}

	@Test
	void noCertificateAndNoTokenFailsStartupWithAnExplanation() {
		new ReactiveWebApplicationContextRunner().withConfiguration(AutoConfigurations.of(WarpTunnelAutoConfiguration.class))
			.withUserConfiguration(HandlerConfiguration.class)
			.withPropertyValues("warp.hostname=new.example.test", "warp.edge.ca-certificate=" + caFile,
					"warp.credentials-dir=" + dir.resolve("empty-credentials"), "warp.edge.addresses=127.0.0.1:1")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new WarpCredentialsFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("new.example.test").contains("no account token")
					.contains(dir.resolve("empty-credentials").toString());
				assertThat(analysis.getAction()).contains("warp.token").contains("token create --zone");
			});
	}

	@Test
	void unwritableCredentialsDirectoryFailsStartupWithAnExplanation() throws Exception {
		Path file = java.nio.file.Files.writeString(dir.resolve("not-a-directory"), "x");
		this.contextRunner
			.withPropertyValues("warp.hostname=shop.example.test", "warp.edge.ca-certificate=" + caFile,
					"warp.credentials-dir=" + file)
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new WarpCredentialsDirectoryFailureAnalyzer()
					.analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains(file.toString());
				assertThat(analysis.getAction()).contains("warp.credentials-dir");
			});
	}

	@Test
	void edgeThatDoesNotAnswerWithinTheStartupWaitFailsStartupWithAnExplanation() {
		long started = System.nanoTime();
		this.contextRunner
			.withPropertyValues("warp.hostname=shop.example.test", "warp.edge.ca-certificate=" + caFile,
					"warp.credentials-dir=" + dir.resolve("credentials"), "warp.startup.wait-for-edge=500ms")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
				FailureAnalysis analysis = new WarpEdgeUnreachableFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("500 ms").contains("127.0.0.1:1");
				assertThat(analysis.getAction()).contains("warp.startup.wait-for-edge=0");
			});
	}

	@Test
	void edgeThatDoesNotAnswerDoesNotStopStartupByDefault() {
		this.contextRunner
			.withPropertyValues("warp.hostname=shop.example.test", "warp.edge.ca-certificate=" + caFile,
					"warp.credentials-dir=" + dir.resolve("credentials"))
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(WarpTunnel.class));
	}

	@Test
	void malformedEdgeAddressFailsStartupNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test", "warp.edge.ca-certificate=" + caFile,
					"warp.edge.addresses=edge.example.test")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new WarpFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("warp.edge.addresses").contains("host:port");
				assertThat(analysis.getAction()).contains("host:port");
			});
	}

	@Test
	void zeroConnectionsFailsStartupNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test", "warp.edge.ca-certificate=" + caFile,
					"warp.connections=0")
			.run((context) -> {
				FailureAnalysis analysis = new WarpFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("warp.connections");
			});
	}

	@Test
	void creatingTheTunnelDoesNotCreateTheHttpHandler() {
		AtomicInteger created = new AtomicInteger();
		new ReactiveWebApplicationContextRunner().withConfiguration(AutoConfigurations.of(WarpTunnelAutoConfiguration.class))
			.withBean("httpHandler", HttpHandler.class, () -> {
				created.incrementAndGet();
				return (request, response) -> response.setComplete();
			}, (definition) -> definition.setLazyInit(true))
			.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test", "warp.edge.ca-certificate=" + caFile,
					"warp.edge.addresses=127.0.0.1:1")
			.run((context) -> {
				// Building it would build WebFlux's DispatcherHandler before every handler mapping exists.
				assertThat(context).hasSingleBean(WarpTunnel.class);
				assertThat(created).hasValue(0);
			});
	}

	@Test
	void applicationWithoutHttpHandlerFailsStartupNamingTheHostname() {
		new ReactiveWebApplicationContextRunner().withConfiguration(AutoConfigurations.of(WarpTunnelAutoConfiguration.class))
			.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"),
				"warp.token=warp_0.offline", "warp.edge.provisioning-url=https://127.0.0.1:1",
				"warp.hostname=shop.example.test", "warp.edge.ca-certificate=" + caFile)
			.run((context) -> {
				FailureAnalysis analysis = new WarpFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("warp.hostname").contains("no WebFlux HttpHandler");
			});
	}

	@Test
	void managementEndpointsOnTheServersPortAreHiddenFromTheTunnelAndTheWarpEndpointIsReadOnly() {
		withActuator().run((context) -> {
			ManagementEndpointPaths paths = context.getBean(ManagementEndpointPaths.class);
			assertThat(paths.hidden()).containsExactlyInAnyOrder("/actuator", "/actuator/health", "/actuator/warp");
			assertThat(paths.readOnly()).containsExactly("/actuator/warp");
		});
	}

	@Test
	void exposedManagementEndpointsKeepTheWarpEndpointReadOnly() {
		withActuator().withPropertyValues("warp.management.exposed=true").run((context) -> {
			ManagementEndpointPaths paths = context.getBean(ManagementEndpointPaths.class);
			assertThat(paths.hidden()).isEmpty();
			assertThat(paths.readOnly()).containsExactly("/actuator/warp");
		});
	}

	@Test
	void managementPathsFollowTheBasePathsAndThePathMapping() {
		withActuator().withPropertyValues("spring.webflux.base-path=/app", "management.endpoints.web.base-path=/manage",
				"management.endpoints.web.path-mapping.warp=tunnel")
			.run((context) -> {
				ManagementEndpointPaths paths = context.getBean(ManagementEndpointPaths.class);
				assertThat(paths.hidden()).containsExactlyInAnyOrder("/app/manage", "/app/manage/health",
						"/app/manage/tunnel");
				assertThat(paths.readOnly()).containsExactly("/app/manage/tunnel");
			});
	}

	@Test
	void managementEndpointsOnAPortOfTheirOwnLeaveOnlyAdditionalHealthPathsToHide() {
		withActuator().withPropertyValues("management.server.port=0",
				"management.endpoint.health.group.live.include=ping",
				"management.endpoint.health.group.live.additional-path=server:/livez")
			.run((context) -> {
				ManagementEndpointPaths paths = context.getBean(ManagementEndpointPaths.class);
				assertThat(paths.hidden()).containsExactly("/livez");
				assertThat(paths.readOnly()).isEmpty();
			});
	}

	@Test
	void withoutActuatorThereAreNoManagementPaths() {
		withActuator().withClassLoader(new FilteredClassLoader(PathMappedEndpoints.class))
			.run((context) -> assertThat(context).hasSingleBean(WarpTunnel.class)
				.doesNotHaveBean(ManagementEndpointPaths.class));
	}

	private ReactiveWebApplicationContextRunner withActuator() {
		return this.contextRunner
			.withConfiguration(AutoConfigurations.of(WebFluxAutoConfiguration.class, EndpointAutoConfiguration.class,
					WebEndpointAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class,
					WarpEndpointAutoConfiguration.class))
			.withPropertyValues("warp.credentials-dir=" + dir.resolve("credentials"), "warp.token=warp_0.offline",
					"warp.edge.provisioning-url=https://127.0.0.1:1", "warp.hostname=shop.example.test",
					"warp.edge.ca-certificate=" + caFile, "management.endpoints.web.exposure.include=health,warp");
	}

	@Test
	void tunnelStartsAfterTheWebServerAndDrainsBeforeItsGracefulShutdown() {
		int webServerStartStop = SmartLifecycle.DEFAULT_PHASE - 2048;
		int webServerGracefulShutdown = SmartLifecycle.DEFAULT_PHASE - 1024;
		assertThat(WarpTunnelLifecycle.PHASE).isGreaterThan(webServerStartStop).isGreaterThan(webServerGracefulShutdown);
	}

	@Configuration(proxyBeanMethods = false)
	static class HandlerConfiguration {

		@Bean
		HttpHandler httpHandler() {
			return (request, response) -> response.setComplete();
		}

	}

}
