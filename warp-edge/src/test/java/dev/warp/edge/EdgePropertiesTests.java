package dev.warp.edge;


import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.warp.edge.app.EdgeProperties;
import dev.warp.edge.visitor.VisitorConnectionLimit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The {@code edge.*} properties of the public listener and the proxy, bound as Spring Boot binds
 * them, turned into settings.
 */
class EdgePropertiesTests {

	private static EdgeSettings bind(Map<String, String> properties) {
		EdgeProperties bound = new Binder(new MapConfigurationPropertySource(properties)).bind("edge", EdgeProperties.class)
			.orElseGet(EdgeProperties::new);
		return bound.toSettings();
	}

	@Test
	void limitsAndTimeoutsBindFromProperties() {
		EdgeSettings settings = bind(Map.of("edge.public.max-header-size", "64KB",
				"edge.public.max-initial-line-length", "8KB", "edge.public.read-timeout", "5s",
				"edge.public.max-concurrent-streams", "50", "edge.public.max-connections", "500",
				"edge.proxy.idle-timeout", "30s", "edge.proxy.max-request-body", "10MB"));
		assertThat(settings.maxHeaderSize()).isEqualTo(64 * 1024);
		assertThat(settings.maxInitialLineLength()).isEqualTo(8 * 1024);
		assertThat(settings.headerReadTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(settings.maxConcurrentStreams()).isEqualTo(50);
		assertThat(settings.maxConnections()).isEqualTo(500);
		assertThat(settings.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
		assertThat(settings.maxRequestBody()).isEqualTo(10L * 1024 * 1024);
	}

	@Test
	void defaultsAreSafeAndTheBodyUnlimited() {
		EdgeSettings settings = bind(Map.of());
		assertThat(settings.maxHeaderSize()).isEqualTo(32 * 1024);
		assertThat(settings.maxInitialLineLength()).isEqualTo(16 * 1024);
		assertThat(settings.headerReadTimeout()).isEqualTo(Duration.ofSeconds(20));
		assertThat(settings.maxConcurrentStreams()).isEqualTo(128);
		assertThat(settings.maxConnections()).isEqualTo(VisitorConnectionLimit.defaultMax());
		assertThat(settings.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
		assertThat(settings.maxRequestBody()).isEqualTo(Long.MAX_VALUE);
		assertThat(settings.publicTls()).isNull();
	}

	@Test
	void apiListensOnLoopbackUnlessItsAddressOpensIt() {
		assertThat(bind(Map.of()).apiAddress()).isEqualTo("127.0.0.1");
		assertThat(bind(Map.of("edge.bind-address", "0.0.0.0")).apiAddress()).isEqualTo("127.0.0.1");
		assertThat(bind(Map.of("edge.api.address", "0.0.0.0")).apiAddress()).isEqualTo("0.0.0.0");
		assertThatIllegalArgumentException().isThrownBy(() -> bind(Map.of("edge.api.address", " ")))
			.withMessageContaining("edge.api.address");
	}

	@Test
	void tlsListenerBindsWithIssuedCertificateNamesOrFiles() {
		EdgeSettings issued = bind(Map.of("edge.public.tls.port", "8443", "edge.public.tls.certificate-names",
				"*.warp.test,warp.test"));
		assertThat(issued.publicTls()).isEqualTo(EdgeSettings.PublicTls.issued(8443, List.of("*.warp.test", "warp.test")));
		EdgeSettings files = bind(Map.of("edge.public.tls.port", "0", "edge.public.tls.certificate-file", "/etc/warp/public.pem",
				"edge.public.tls.key-file", "/etc/warp/public-key.pem"));
		assertThat(files.publicTls().certificateFile()).isEqualTo(Path.of("/etc/warp/public.pem"));
		assertThat(files.publicTls().keyFile()).isEqualTo(Path.of("/etc/warp/public-key.pem"));
	}

	@Test
	void visitorConnectionLimitBelowOneIsRefusedNamingTheProperty() {
		assertThatIllegalArgumentException().isThrownBy(() -> bind(Map.of("edge.public.max-connections", "0")))
			.withMessageStartingWith("edge.public.max-connections must be at least 1, was 0");
	}

	@Test
	void perAddressLimitsAndPenaltiesBindFromProperties() {
		EdgeSettings settings = bind(Map.of("edge.public.max-connections-per-address", "64", "edge.public.abuse-penalty",
				"5s", "edge.public.max-abuse-penalty", "1m", "edge.tunnel.handshake-timeout", "3s",
				"edge.tunnel.max-handshakes", "100", "edge.tunnel.max-handshakes-per-address", "10"));
		assertThat(settings.maxConnectionsPerAddress()).isEqualTo(64);
		assertThat(settings.abusePenalty()).isEqualTo(Duration.ofSeconds(5));
		assertThat(settings.maxAbusePenalty()).isEqualTo(Duration.ofMinutes(1));
		assertThat(settings.tunnelHandshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
		assertThat(settings.maxTunnelHandshakes()).isEqualTo(100);
		assertThat(settings.maxTunnelHandshakesPerAddress()).isEqualTo(10);
		EdgeSettings defaults = bind(Map.of());
		assertThat(defaults.maxConnectionsPerAddress()).isEqualTo(256);
		assertThat(defaults.abusePenalty()).isEqualTo(Duration.ofSeconds(10));
		assertThat(defaults.maxAbusePenalty()).isEqualTo(Duration.ofMinutes(10));
		assertThat(defaults.tunnelHandshakeTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(defaults.maxTunnelHandshakes()).isBetween(1, 1024);
		assertThat(defaults.maxTunnelHandshakesPerAddress())
			.isEqualTo(Math.max(1, Math.min(256, defaults.maxTunnelHandshakes() / 4)));
	}

	@Test
	void badPerAddressLimitsAndPenaltiesAreRefusedNamingTheProperty() {
		assertThatIllegalArgumentException().isThrownBy(() -> bind(Map.of("edge.public.max-connections-per-address", "0")))
			.withMessage("edge.public.max-connections-per-address must be at least 1, was 0");
		assertThatIllegalArgumentException().isThrownBy(() -> bind(Map.of("edge.tunnel.max-handshakes", "0")))
			.withMessage("edge.tunnel.max-handshakes must be at least 1, was 0");
		assertThatIllegalArgumentException().isThrownBy(() -> bind(Map.of("edge.tunnel.handshake-timeout", "0s")))
			.withMessage("edge.tunnel.handshake-timeout must be positive, was PT0S");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> bind(Map.of("edge.public.abuse-penalty", "1m", "edge.public.max-abuse-penalty", "10s")))
			.withMessageStartingWith("edge.public.max-abuse-penalty (PT10S) must not be shorter than edge.public.abuse-penalty");
	}

	@Test
	void certificateFileWithoutKeyIsRefusedNamingBoth() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new EdgeSettings.PublicTls(8443, List.of(), Path.of("public.pem"), null))
			.withMessageContaining("certificate file and a key file");
	}

}
