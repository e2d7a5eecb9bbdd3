package dev.warp.autoconfigure.tunnel;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WarpPropertiesCheck}.
 */
class WarpPropertiesCheckTests {

	private static final List<String> KNOWN = WarpPropertiesCheck.knownKeys(WarpPropertiesCheckTests.class.getClassLoader());

	@Test
	void theKnownKeysAreThoseOfTheMetadata() {
		assertThat(KNOWN).contains("warp.hostname", "warp.token", "warp.edge.addresses", "warp.edge.ca-certificate")
			.allMatch((key) -> key.startsWith("warp."));
	}

	@Test
	void aMisspeltHostnameIsNamedWithTheRightKeyAndTheTunnelStaysOff() {
		assertThat(warnings(Map.of("warp.hostnmae", "shop.example.test", "warp.token", "t"))).containsExactly(
				"Unknown property warp.hostnmae (\"warp.hostnmae\" from property source \"test\"): the Warp starter has no such property and ignores it; did you mean "
						+ "warp.hostname?",
				"warp.* properties are set (warp.hostnmae, warp.token) but warp.hostname is not, so the Warp tunnel stays "
						+ "off. Set warp.hostname to the application's public hostname to open it.");
	}

	@Test
	void aMisspeltKeyUnderEdgeIsNamedWithTheRightKey() {
		assertThat(warnings(Map.of("warp.hostname", "shop.example.test", "warp.edge.adresses", "edge:7844")))
			.containsExactly("Unknown property warp.edge.adresses (\"warp.edge.adresses\" from property source \"test\"): "
					+ "the Warp starter has no such property and ignores it; "
					+ "did you mean warp.edge.addresses?");
	}

	@Test
	void aKeyFarFromEveryKnownOneIsStillNamed() {
		assertThat(warnings(Map.of("warp.hostname", "h", "warp.something-else-entirely", "x"))).singleElement()
			.asString()
			.startsWith("Unknown property warp.something-else-entirely")
			.endsWith("the README's Properties table lists them");
	}

	@Test
	void environmentVariablesOfKnownKeysPass() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource("env", Map.of("WARP_TOKEN", "t",
				"WARP_HOSTNAME", "shop.example.test", "WARP_EDGE_CA_CERTIFICATE", "/ca.pem", "WARP_EDGE_ADDRESSES_0_", "e:1")));
		assertThat(WarpPropertiesCheck.warnings(environment, KNOWN)).isEmpty();
	}

	@Test
	void aDisabledTunnelNeedsNoHostname() {
		assertThat(warnings(Map.of("warp.enabled", "false", "warp.token", "t"))).isEmpty();
	}

	@Test
	void noWarpPropertiesNoWarning() {
		assertThat(warnings(Map.of("server.port", "0"))).isEmpty();
	}

	private static List<String> warnings(Map<String, Object> properties) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
		return WarpPropertiesCheck.warnings(environment, KNOWN);
	}

}
