package dev.warp.autoconfigure.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.jayway.jsonpath.JsonPath;
import dev.warp.agent.TunnelSettings;
import dev.warp.autoconfigure.tunnel.WarpTunnelAutoConfiguration.WarpSettingsFactory;
import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The defaults the configuration metadata documents for {@code warp.*} are those of the tunnel's
 * settings, or, for what only the auto-configuration uses, of the properties themselves.
 */
class WarpPropertyDefaultsTests {

	private static final TunnelSettings DEFAULTS = TunnelSettings.builder("app.example.test")
		.caCertificate(Path.of("ca.pem"))
		.build();

	/** Each property whose default the tunnel's settings own, and where they keep it. */
	private static final Map<String, Function<TunnelSettings, Object>> SETTINGS = new LinkedHashMap<>();

	/** Each property whose default the auto-configuration owns: the properties hold it. */
	private static final Map<String, Function<WarpProperties, Object>> PROPERTIES = new LinkedHashMap<>();

	static {
		SETTINGS.put("warp.connections", TunnelSettings::connections);
		SETTINGS.put("warp.grace-period", TunnelSettings::gracePeriod);
		SETTINGS.put("warp.edge.connect-timeout", TunnelSettings::connectTimeout);
		SETTINGS.put("warp.edge.registration-timeout", TunnelSettings::registrationTimeout);
		SETTINGS.put("warp.edge.rebalance-interval", TunnelSettings::rebalanceInterval);
		SETTINGS.put("warp.reconnect.initial-delay", TunnelSettings::initialBackoff);
		SETTINGS.put("warp.reconnect.max-delay", TunnelSettings::maxBackoff);
		SETTINGS.put("warp.heartbeat.interval", TunnelSettings::heartbeatInterval);
		SETTINGS.put("warp.heartbeat.max-missed", TunnelSettings::heartbeatMisses);
		PROPERTIES.put("warp.enabled", WarpProperties::isEnabled);
		PROPERTIES.put("warp.startup.wait-for-edge", (properties) -> properties.getStartup().getWaitForEdge());
		PROPERTIES.put("warp.management.exposed", (properties) -> properties.getManagement().isExposed());
	}

	@Test
	void everyDocumentedDefaultIsTheSettingsOwn() throws IOException {
		Map<String, Map<String, Object>> metadata = warpMetadata();
		assertThat(metadata).isNotEmpty();
		metadata.forEach((name, property) -> {
			if (property.containsKey("defaultValue")) {
				Object own = SETTINGS.containsKey(name) ? SETTINGS.get(name).apply(DEFAULTS)
						: PROPERTIES.containsKey(name) ? PROPERTIES.get(name).apply(new WarpProperties()) : null;
				assertThat(own).as("owner's default of %s", name).isNotNull();
				assertThat(normalized(property, property.get("defaultValue"))).as("documented default of %s", name)
					.isEqualTo(normalized(property, own));
			}
		});
	}

	@Test
	void everyFixedDefaultOfTheSettingsIsDocumented() throws IOException {
		Map<String, Map<String, Object>> metadata = warpMetadata();
		SETTINGS.keySet()
			.forEach((name) -> assertThat(metadata.get(name)).as("metadata of %s", name).containsKey("defaultValue"));
	}

	@Test
	void unsetPropertiesLeaveTheSettingsAtTheirDefaults() {
		WarpProperties properties = new WarpProperties();
		properties.setHostname("app.example.test");
		TunnelSettings bound = WarpSettingsFactory.create(properties);
		SETTINGS.forEach((name, setting) -> assertThat(setting.apply(bound)).as(name).isEqualTo(setting.apply(DEFAULTS)));
		assertThat(bound.credentialsDir()).isEqualTo(DEFAULTS.credentialsDir());
		assertThat(bound.edgeAddresses()).isEqualTo(DEFAULTS.edgeAddresses());
	}

	/** A value as the property's type holds it, numbers compared by their magnitude (the metadata writes a zero duration as 0). */
	private static Object normalized(Map<String, Object> property, Object value) {
		Object converted = ApplicationConversionService.getSharedInstance()
			.convert(value, ClassUtils.resolveClassName((String) property.get("type"), null));
		return (converted instanceof Number number) ? number.longValue() : converted;
	}

	/** The {@code warp.*} properties of the generated metadata, by name. */
	private static Map<String, Map<String, Object>> warpMetadata() throws IOException {
		Map<String, Map<String, Object>> properties = new LinkedHashMap<>();
		for (URL url : Collections.list(WarpPropertyDefaultsTests.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json"))) {
			try (InputStream in = url.openStream()) {
				List<Map<String, Object>> all = JsonPath.read(new String(in.readAllBytes(), StandardCharsets.UTF_8),
						"$.properties[*]");
				for (Map<String, Object> property : all) {
					if (((String) property.get("name")).startsWith("warp.")) {
						properties.put((String) property.get("name"), property);
					}
				}
			}
		}
		return properties;
	}

}
