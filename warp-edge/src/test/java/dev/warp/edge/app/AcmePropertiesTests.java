package dev.warp.edge.app;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.warp.edge.AcmeSettings;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The {@code edge.public.tls.acme.*} properties as an operator writes them, onto {@link AcmeSettings}. */
class AcmePropertiesTests {

	private static AcmeSettings bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bind("edge", EdgeProperties.class)
			.orElseGet(EdgeProperties::new)
			.toSettings()
			.acme();
	}

	@Test
	void everyPropertyReachesTheSettings() {
		AcmeSettings acme = bind(Map.of("edge.public.tls.port", "8443", "edge.public.tls.acme.directory-url",
				"https://acme.example.test/directory", "edge.public.tls.acme.email", "ops@example.test",
				"edge.public.tls.acme.accept-terms", "true", "edge.public.tls.acme.challenges", "tls-alpn-01,http-01",
				"edge.public.tls.acme.handshake-wait", "3s", "edge.public.tls.acme.retry-backoff", "30s",
				"edge.public.tls.acme.max-retry-backoff", "1h", "edge.public.tls.acme.order-timeout", "90s",
				"edge.public.tls.acme.trusted-ca-file", "/etc/warp/acme-ca.pem"));
		assertThat(acme.directoryUrl()).isEqualTo(URI.create("https://acme.example.test/directory"));
		assertThat(acme.email()).isEqualTo("ops@example.test");
		assertThat(acme.acceptTerms()).isTrue();
		assertThat(acme.challenges()).containsExactly(AcmeSettings.Challenge.TLS_ALPN_01, AcmeSettings.Challenge.HTTP_01);
		assertThat(acme.handshakeWait()).isEqualTo(Duration.ofSeconds(3));
		assertThat(acme.retryBackoff()).isEqualTo(Duration.ofSeconds(30));
		assertThat(acme.maxRetryBackoff()).isEqualTo(Duration.ofHours(1));
		assertThat(acme.orderTimeout()).isEqualTo(Duration.ofSeconds(90));
		assertThat(acme.trustedCaFile()).isEqualTo(Path.of("/etc/warp/acme-ca.pem"));
	}

	@Test
	void withoutADirectoryUrlThereIsNoAcme() {
		assertThat(bind(Map.of("edge.public.tls.port", "8443")).enabled()).isFalse();
	}

	@Test
	void aDirectoryUrlWithoutTheTermsAcceptedIsRefusedWithThePropertyToSet() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> bind(Map.of("edge.public.tls.acme.directory-url", "https://acme.example.test/directory")))
			.withMessageContaining("edge.public.tls.acme.accept-terms=true");
	}

	@Test
	void anUnknownChallengeTypeIsRefusedWithTheKnownOnes() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> bind(Map.of("edge.public.tls.acme.challenges", "dns-01")))
			.withMessageContaining("http-01 or tls-alpn-01");
	}

}
