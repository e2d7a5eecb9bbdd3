package dev.warp.autoconfigure.tunnel;

import java.nio.file.Path;

import dev.warp.agent.TunnelSettings;
import dev.warp.agent.WarpTunnel;
import dev.warp.autoconfigure.OriginCredentialsFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableReactiveWebApplicationContext;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;

class WarpSslBundlesTests {

	@TempDir
	static Path dir;

	static Path caFile;

	static Path credentials;

	// No edge listens on port 1: the tunnel keeps retrying in the background, which these tests ignore.
	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WarpTunnelAutoConfiguration.class, SslAutoConfiguration.class))
		.withBean(HttpHandler.class, () -> (request, response) -> Mono.empty())
		.withPropertyValues("warp.edge.addresses=127.0.0.1:1", "warp.hostname=shop.example.test");

	@BeforeAll
	static void writeCredentials() {
		caFile = OriginCredentialsFixture.writeCaAndCredentials(dir, "shop.example.test");
		credentials = dir.resolve("credentials").resolve("shop.example.test");
	}

	private ReactiveWebApplicationContextRunner withBundles() {
		return this.contextRunner.withPropertyValues(
				"spring.ssl.bundle.pem.warp-edge.truststore.certificate=" + caFile.toUri(),
				"spring.ssl.bundle.pem.warp-origin.keystore.certificate=" + credentials.resolve("cert.pem").toUri(),
				"spring.ssl.bundle.pem.warp-origin.keystore.private-key=" + credentials.resolve("key.pem").toUri());
	}

	@Test
	void edgeBundleTrustsTheCaInItsTrustStoreInsteadOfACaFile() {
		withBundles().withPropertyValues("warp.edge.ssl-bundle=warp-edge", "warp.origin.ssl-bundle=warp-origin")
			.run((context) -> {
				TunnelSettings settings = context.getBean(TunnelSettings.class);
				assertThat(settings.caCertificates()).singleElement()
					.satisfies((ca) -> assertThat(ca.getSubjectX500Principal().getName()).contains("Test CA"));
				assertThat(settings.caCertificate()).isNull();
			});
	}

	@Test
	void originBundleGivesTheOriginCertificateAndKeyTheTunnelStartsWith() {
		withBundles().withPropertyValues("warp.edge.ssl-bundle=warp-edge", "warp.origin.ssl-bundle=warp-origin")
			.run((context) -> {
				WarpTunnel tunnel = context.getBean(WarpTunnel.class);
				assertThat(tunnel.settings().originCredentials()).isNotNull();
				assertThat(tunnel.isRunning()).isTrue();
				assertThat(tunnel.credentials()).isEqualTo(tunnel.settings().originCredentials());
			});
	}

	@Test
	void bundleThatDoesNotExistFailsStartupNamingIt() {
		withBundles().withPropertyValues("warp.edge.ssl-bundle=edge-typo").run((context) -> {
			FailureAnalysis analysis = analysis(context);
			assertThat(analysis.getDescription()).contains("warp.edge.ssl-bundle").contains("edge-typo")
				.contains("no SSL bundle of that name").contains("warp-edge");
			assertThat(analysis.getAction()).contains("spring.ssl.bundle.pem.edge-typo");
		});
	}

	@Test
	void edgeBundleBesideACaFileFailsStartup() {
		withBundles().withPropertyValues("warp.edge.ssl-bundle=warp-edge", "warp.edge.ca-certificate=" + caFile)
			.run((context) -> assertThat(analysis(context).getDescription()).contains("warp.edge.ssl-bundle")
				.contains("warp.edge.ca-certificate is set too"));
	}

	@Test
	void originBundleBesideACredentialsDirectoryFailsStartup() {
		withBundles()
			.withPropertyValues("warp.edge.ssl-bundle=warp-edge", "warp.origin.ssl-bundle=warp-origin",
					"warp.credentials-dir=" + dir.resolve("credentials"))
			.run((context) -> assertThat(analysis(context).getDescription()).contains("warp.origin.ssl-bundle")
				.contains("warp.credentials-dir is set too"));
	}

	@Test
	void originBundleWithoutAKeyFailsStartup() {
		withBundles().withPropertyValues("warp.edge.ssl-bundle=warp-edge", "warp.origin.ssl-bundle=warp-edge")
			.run((context) -> assertThat(analysis(context).getDescription()).contains("warp.origin.ssl-bundle")
				.contains("no private key"));
	}

	@Test
	void originBundleForAnotherHostnameFailsStartup() {
		withBundles()
			.withPropertyValues("warp.hostname=other.example.test", "warp.edge.ssl-bundle=warp-edge",
					"warp.origin.ssl-bundle=warp-origin")
			.run((context) -> assertThat(analysis(context).getDescription()).contains("warp.origin.ssl-bundle")
				.contains("not other.example.test"));
	}

	private static FailureAnalysis analysis(AssertableReactiveWebApplicationContext context) {
		assertThat(context).hasFailed();
		FailureAnalysis analysis = new WarpFailureAnalyzer().analyze(context.getStartupFailure());
		assertThat(analysis).isNotNull();
		return analysis;
	}

}
