package dev.warp.core.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TunnelProtocol}.
 */
class TunnelProtocolTests {

	@Test
	void routingHostnameOfANormalizedHostIsTheHostItself() {
		assertThat(TunnelProtocol.routingHostname("app-1.example.com")).isEqualTo("app-1.example.com");
	}

	@Test
	void routingHostnameIsLowerCase() {
		assertThat(TunnelProtocol.routingHostname("App.Example.COM")).isEqualTo("app.example.com");
	}

	@Test
	void routingHostnameDropsThePort() {
		assertThat(TunnelProtocol.routingHostname("app.example.com:8443")).isEqualTo("app.example.com");
	}

	@Test
	void routingHostnameDropsTheTrailingDot() {
		assertThat(TunnelProtocol.routingHostname("app.example.com.")).isEqualTo("app.example.com");
		assertThat(TunnelProtocol.routingHostname("app.example.com.:80")).isEqualTo("app.example.com");
	}

	@Test
	void routingHostnameDropsSurroundingWhitespace() {
		assertThat(TunnelProtocol.routingHostname(" app.example.com ")).isEqualTo("app.example.com");
	}

	@Test
	void routingHostnameOfAnIpv6LiteralKeepsItsBracketsAndDropsThePort() {
		assertThat(TunnelProtocol.routingHostname("[::1]:8080")).isEqualTo("[::1]");
		assertThat(TunnelProtocol.routingHostname("[FE80::1]")).isEqualTo("[fe80::1]");
	}

	@Test
	void routingHostnameOfAMissingOrEmptyHostIsNull() {
		assertThat(TunnelProtocol.routingHostname(null)).isNull();
		assertThat(TunnelProtocol.routingHostname("")).isNull();
		assertThat(TunnelProtocol.routingHostname(":8080")).isNull();
		assertThat(TunnelProtocol.routingHostname(".")).isNull();
	}

}
