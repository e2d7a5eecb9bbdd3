package dev.warp.autoconfigure.tunnel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.warp.agent.TunnelSettings;
import dev.warp.agent.WarpTunnel;
import dev.warp.autoconfigure.OriginCredentialsFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;

class WarpTunnelCustomizerTests {

	@TempDir
	static Path dir;

	static Path caFile;

	// No edge listens on port 1: the tunnel keeps retrying in the background, which these tests ignore.
	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WarpTunnelAutoConfiguration.class))
		.withBean(HttpHandler.class, () -> (request, response) -> Mono.empty())
		.withPropertyValues("warp.edge.addresses=127.0.0.1:1", "warp.hostname=shop.example.test",
				"warp.connections=3");

	@BeforeAll
	static void writeCa() {
		caFile = OriginCredentialsFixture.writeCaAndCredentials(dir, "shop.example.test");
	}

	private ReactiveWebApplicationContextRunner withCredentials() {
		return this.contextRunner.withPropertyValues("warp.edge.ca-certificate=" + caFile,
				"warp.credentials-dir=" + dir.resolve("credentials"));
	}

	@Test
	void customizerChangesTheSettingsAfterTheProperties() {
		withCredentials().withUserConfiguration(AgentIdCustomizer.class).run((context) -> {
			TunnelSettings settings = context.getBean(WarpTunnel.class).settings();
			assertThat(settings.agentId()).isEqualTo("pod-7");
			assertThat(settings.connections()).isEqualTo(3);
		});
	}

	@Test
	void customizersApplyInTheirOrderAndTheLastOneWins() {
		withCredentials().withUserConfiguration(OrderedCustomizers.class).run((context) -> {
			assertThat(context.getBean("calls", List.class)).containsExactly("first", "second");
			assertThat(context.getBean(TunnelSettings.class).connections()).isEqualTo(2);
		});
	}

	@Test
	void customizerRunsBeforeTheTunnelStarts() {
		withCredentials().withUserConfiguration(AgentIdCustomizer.class)
			.run((context) -> assertThat(context.getBean(WarpTunnel.class).isRunning()).isTrue());
	}

	@Configuration(proxyBeanMethods = false)
	static class AgentIdCustomizer {

		@Bean
		WarpTunnelCustomizer agentIdCustomizer() {
			return (settings) -> settings.agentId("pod-7");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OrderedCustomizers {

		@Bean
		List<String> calls() {
			return new ArrayList<>();
		}

		// Declared in the reverse of their order: the order decides, not the declaration.
		@Bean
		@Order(2)
		WarpTunnelCustomizer secondCustomizer(List<String> calls) {
			return (settings) -> {
				calls.add("second");
				settings.connections(2);
			};
		}

		@Bean
		@Order(1)
		WarpTunnelCustomizer firstCustomizer(List<String> calls) {
			return (settings) -> {
				calls.add("first");
				settings.connections(1);
			};
		}

	}

}
