package dev.warp.edge.app;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.jayway.jsonpath.JsonPath;
import dev.warp.edge.AcmeSettings;
import dev.warp.edge.EdgeSettings;
import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The defaults the configuration metadata documents for {@code edge.*} are the settings' own:
 * the properties hold none, so the metadata is the only other place they are written.
 */
class EdgePropertyDefaultsTests {

	private static final EdgeSettings DEFAULTS = EdgeSettings.builder().build();

	/** Each property with a fixed default, and where the settings keep it. */
	private static final Map<String, Function<EdgeSettings, Object>> SETTINGS = new LinkedHashMap<>();

	static {
		SETTINGS.put("edge.bind-address", EdgeSettings::bindAddress);
		SETTINGS.put("edge.public.port", EdgeSettings::publicPort);
		SETTINGS.put("edge.public.max-header-size", EdgeSettings::maxHeaderSize);
		SETTINGS.put("edge.public.max-initial-line-length", EdgeSettings::maxInitialLineLength);
		SETTINGS.put("edge.public.read-timeout", EdgeSettings::headerReadTimeout);
		SETTINGS.put("edge.public.max-concurrent-streams", EdgeSettings::maxConcurrentStreams);
		SETTINGS.put("edge.public.max-connections-per-address", EdgeSettings::maxConnectionsPerAddress);
		SETTINGS.put("edge.public.abuse-penalty", EdgeSettings::abusePenalty);
		SETTINGS.put("edge.public.max-abuse-penalty", EdgeSettings::maxAbusePenalty);
		SETTINGS.put("edge.public.tls.certificate-names", (settings) -> EdgeSettings.PublicTls.DEFAULT_CERTIFICATE_NAMES);
		SETTINGS.put("edge.public.tls.acme.challenges",
				(settings) -> settings.acme().challenges().stream().map(AcmeSettings.Challenge::type).toList());
		SETTINGS.put("edge.public.tls.acme.handshake-wait", (settings) -> settings.acme().handshakeWait());
		SETTINGS.put("edge.public.tls.acme.retry-backoff", (settings) -> settings.acme().retryBackoff());
		SETTINGS.put("edge.public.tls.acme.max-retry-backoff", (settings) -> settings.acme().maxRetryBackoff());
		SETTINGS.put("edge.public.tls.acme.order-timeout", (settings) -> settings.acme().orderTimeout());
		SETTINGS.put("edge.public.tls.acme.accept-terms", (settings) -> settings.acme().acceptTerms());
		SETTINGS.put("edge.tunnel.port", EdgeSettings::tunnelPort);
		SETTINGS.put("edge.tunnel.registration-timeout", EdgeSettings::registrationTimeout);
		SETTINGS.put("edge.tunnel.heartbeat-interval", EdgeSettings::heartbeatInterval);
		SETTINGS.put("edge.tunnel.heartbeat-max-missed", EdgeSettings::heartbeatMaxMissed);
		SETTINGS.put("edge.tunnel.drain-timeout", EdgeSettings::drainTimeout);
		SETTINGS.put("edge.tunnel.handshake-timeout", EdgeSettings::tunnelHandshakeTimeout);
		SETTINGS.put("edge.api.port", EdgeSettings::apiPort);
		SETTINGS.put("edge.api.address", EdgeSettings::apiAddress);
		SETTINGS.put("edge.proxy.response-timeout", EdgeSettings::responseTimeout);
		SETTINGS.put("edge.proxy.idle-timeout", EdgeSettings::idleTimeout);
		SETTINGS.put("edge.proxy.web-socket-ping-interval", EdgeSettings::webSocketPingInterval);
		SETTINGS.put("edge.cluster.lease-ttl", EdgeSettings::clusterLeaseTtl);
		SETTINGS.put("edge.cluster.peer-port", EdgeSettings::clusterPeerPort);
		SETTINGS.put("edge.provisioning.port", (settings) -> settings.provisioning().port());
		SETTINGS.put("edge.provisioning.certificate-lifetime", (settings) -> settings.provisioning().certificateLifetime());
		SETTINGS.put("edge.provisioning.revocation-check-interval",
				(settings) -> settings.provisioning().revocationCheckInterval());
		SETTINGS.put("edge.provisioning.failed-attempts-per-minute",
				(settings) -> settings.provisioning().failedAttemptsPerMinute());
	}

	@Test
	void everyDocumentedDefaultIsTheSettingsOwn() throws Exception {
		Map<String, Map<String, Object>> metadata = edgeMetadata();
		assertThat(metadata).isNotEmpty();
		metadata.forEach((name, property) -> {
			if (property.containsKey("defaultValue")) {
				assertThat(SETTINGS).as("settings' default of %s", name).containsKey(name);
				assertThat(normalized(property, property.get("defaultValue")))
					.as("documented default of %s", name)
					.isEqualTo(normalized(property, SETTINGS.get(name).apply(DEFAULTS)));
			}
		});
	}

	@Test
	void everyFixedDefaultOfTheSettingsIsDocumented() throws Exception {
		Map<String, Map<String, Object>> metadata = edgeMetadata();
		SETTINGS.keySet()
			.forEach((name) -> assertThat(metadata.get(name)).as("metadata of %s", name).containsKey("defaultValue"));
	}

	@Test
	void unsetPropertiesLeaveTheSettingsAtTheirDefaults() {
		EdgeSettings bound = new EdgeProperties().toSettings();
		SETTINGS.forEach((name, setting) -> assertThat(setting.apply(bound)).as(name).isEqualTo(setting.apply(DEFAULTS)));
	}

	/** A value as the property's type holds it, sizes and numbers compared by their magnitude. */
	private static Object normalized(Map<String, Object> property, Object value) {
		String type = (String) property.get("type");
		if (type.startsWith("java.util.List")) {
			return List.copyOf((List<?>) value);
		}
		Object converted = (value instanceof String) ? ApplicationConversionService.getSharedInstance()
			.convert(value, ClassUtils.resolveClassName(type, null)) : value;
		if (converted instanceof DataSize size) {
			return size.toBytes();
		}
		return (converted instanceof Number number) ? number.longValue() : converted;
	}

	/** The {@code edge.*} properties of the generated metadata, by name. */
	private static Map<String, Map<String, Object>> edgeMetadata() throws IOException {
		Map<String, Map<String, Object>> properties = new LinkedHashMap<>();
		for (URL url : Collections.list(EdgePropertyDefaultsTests.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json"))) {
			try (InputStream in = url.openStream()) {
				List<Map<String, Object>> all = JsonPath.read(new String(in.readAllBytes(), StandardCharsets.UTF_8),
						"$.properties[*]");
				for (Map<String, Object> property : all) {
					if (((String) property.get("name")).startsWith("edge.")) {
						properties.put((String) property.get("name"), property);
					}
				}
			}
		}
		return properties;
	}

}
