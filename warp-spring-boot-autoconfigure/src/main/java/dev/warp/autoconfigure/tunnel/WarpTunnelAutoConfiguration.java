package dev.warp.autoconfigure.tunnel;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.warp.agent.EdgeAddress;
import dev.warp.agent.TunnelSettings;
import dev.warp.agent.WarpTunnel;
import dev.warp.agent.management.ManagementEndpointPaths;
import dev.warp.core.token.ConnectorToken;
import dev.warp.core.token.InvalidTokenException;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.util.StringUtils;

import static java.util.Objects.requireNonNullElse;

/**
 * Auto-configuration of the Warp tunnel: with {@code warp.hostname} set, the application's own
 * WebFlux handler chain is served through outbound tunnel connections to the edge.
 */
@AutoConfiguration(after = { HttpHandlerAutoConfiguration.class, SslAutoConfiguration.class })
@ConditionalOnClass({ WarpTunnel.class, HttpHandler.class })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnProperty(prefix = "warp", name = "hostname")
@ConditionalOnBooleanProperty(name = "warp.enabled", matchIfMissing = true)
@EnableConfigurationProperties(WarpProperties.class)
public final class WarpTunnelAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TunnelSettings warpTunnelSettings(WarpProperties properties, ObjectProvider<SslBundles> sslBundles,
			Environment environment, ObjectProvider<WarpTunnelCustomizer> customizers) {
		WarpSslBundles bundles = new WarpSslBundles(sslBundles.getIfAvailable(), Binder.get(environment));
		return WarpSettingsFactory.create(properties, (builder) -> {
			bundles.apply(properties, builder);
			customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		});
	}

	@Bean
	@ConditionalOnMissingBean
	WarpTunnel warpTunnel(TunnelSettings settings, ListableBeanFactory beanFactory,
			ObjectProvider<HttpHandler> httpHandler, ObjectProvider<ManagementEndpointPaths> managementPaths) {
		// Whether there is one, without creating it: see DeferredHttpHandler.
		if (beanFactory.getBeanNamesForType(HttpHandler.class, true, false).length == 0) {
			throw new WarpConfigurationException("warp.hostname", settings.hostname(),
					"the application has no WebFlux HttpHandler to serve through the tunnel",
					"Add spring-boot-starter-webflux to the application, or remove warp.hostname.");
		}
		return new WarpTunnel(settings, new DeferredHttpHandler(httpHandler, managementPaths));
	}

	@Bean
	@ConditionalOnMissingBean
	WarpTunnelLifecycle warpTunnelLifecycle(WarpTunnel tunnel, WarpProperties properties) {
		return new WarpTunnelLifecycle(tunnel, properties.getStartup().getWaitForEdge());
	}

	/**
	 * The paths of the management endpoints that share the server's port, which the tunnel does
	 * not serve (see {@code warp.management.exposed}); the {@code warp} endpoint's write
	 * operations are never served through it. Endpoints on a management port of their own
	 * ({@code management.server.port}) are not in the application's handler at all: only the
	 * health groups' additional paths on the server's port are left to hide then.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ PathMappedEndpoints.class, ManagementPortType.class, WebFluxProperties.class })
	static class ManagementEndpointsConfiguration {

		private static final EndpointId WARP_ENDPOINT = EndpointId.of("warp");

		@Bean
		@ConditionalOnMissingBean
		ManagementEndpointPaths warpManagementEndpointPaths(WarpProperties properties,
				ObjectProvider<PathMappedEndpoints> endpoints, ObjectProvider<WebFluxProperties> webFlux,
				Environment environment) {
			PathMappedEndpoints mapped = endpoints.getIfAvailable();
			if (mapped == null) {
				return new ManagementEndpointPaths(List.of(), List.of());
			}
			WebFluxProperties webFluxProperties = webFlux.getIfAvailable();
			String serverBasePath = (webFluxProperties != null && webFluxProperties.getBasePath() != null)
					? webFluxProperties.getBasePath() : "";
			boolean sharedPort = ManagementPortType.get(environment) == ManagementPortType.SAME;
			List<String> paths = new ArrayList<>();
			if (sharedPort) {
				paths.add(mapped.getBasePath());
				paths.addAll(mapped.getAllPaths());
			}
			mapped.stream().forEach((endpoint) -> paths.addAll(endpoint.getAdditionalPaths(WebServerNamespace.SERVER)));
			String warpPath = mapped.getPath(WARP_ENDPOINT);
			List<String> readOnly = (sharedPort && warpPath != null) ? List.of(warpPath) : List.of();
			List<String> hidden = properties.getManagement().isExposed() ? List.of() : paths;
			return new ManagementEndpointPaths(onServer(serverBasePath, hidden), onServer(serverBasePath, readOnly));
		}

		/** The paths below the server's base path; a path of no segment (the root) covers nothing. */
		private static List<String> onServer(String serverBasePath, List<String> paths) {
			return paths.stream()
				.filter((path) -> StringUtils.hasText(path.replace("/", "")))
				.map((path) -> serverBasePath + (path.startsWith("/") ? path : "/" + path))
				.distinct()
				.toList();
		}

	}

	/** Turns bound properties into the agent's settings, naming the property at fault. */
	static final class WarpSettingsFactory {

		static final Path DEFAULT_CA_CERTIFICATE = Path.of(System.getProperty("user.home"), ".warp", "edge", "ca.pem");

		private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}:]+)");

		/**
		 * The connector token in warp.token, or {@code null} for an account token or none.
		 * @throws WarpConfigurationException for a placeholder nothing resolved or a damaged token
		 */
		static @Nullable ConnectorToken connectorToken(@Nullable String token) {
			if (token == null) {
				return null;
			}
			Matcher placeholder = PLACEHOLDER.matcher(token);
			if (placeholder.find()) {
				String variable = placeholder.group(1).trim();
				throw new WarpConfigurationException("warp.token", token.trim(), "nothing resolves the placeholder: "
						+ "the environment variable " + variable + " is not set (nor a property of that name)",
						"Set the environment variable " + variable + " of the application to the token that "
								+ "'java -jar warp-edge.jar token create --zone <zone>' printed. Spring Boot reads "
								+ "WARP_TOKEN as warp.token by itself: warp.token need not be in application.yml.");
			}
			if (!ConnectorToken.isConnectorToken(token)) {
				return null;
			}
			try {
				return ConnectorToken.decode(token);
			}
			catch (InvalidTokenException ex) {
				String masked = token.trim().substring(0, Math.min(10, token.trim().length())) + "…";
				throw new WarpConfigurationException("warp.token", masked, ex.getMessage(),
						"Set warp.token (WARP_TOKEN) to the whole token 'java -jar warp-edge.jar token create' printed.");
			}
		}

		private WarpSettingsFactory() {
		}

		static TunnelSettings create(WarpProperties properties) {
			return create(properties, (builder) -> {
			});
		}

		/**
		 * The settings from the properties, then changed by the given customizer.
		 */
		static TunnelSettings create(WarpProperties properties, Consumer<TunnelSettings.Builder> customizer) {
			String hostname = properties.getHostname();
			if (hostname == null || hostname.isBlank() || hostname.contains("/") || hostname.contains(":")) {
				throw new WarpConfigurationException("warp.hostname", hostname, "it is not a hostname",
						"Set warp.hostname to the public hostname of the application, e.g. shop.example.test.");
			}
			ConnectorToken connector = connectorToken(properties.getToken());
			List<String> configured = properties.getEdge().getAddresses();
			List<String> addressTexts = !configured.isEmpty() ? configured
					: (connector != null) ? connector.tunnelAddresses() : null;
			String source = !configured.isEmpty() ? "warp.edge.addresses" : (connector != null) ? "named by warp.token"
					: "the default: warp.edge.addresses is not set";
			List<EdgeAddress> addresses = (addressTexts != null) ? edgeAddresses(addressTexts) : null;
			Path caCertificate = properties.getEdge().getCaCertificate();
			URI provisioningUrl = properties.getEdge().getProvisioningUrl();
			if (connector != null) {
				provisioningUrl = (provisioningUrl != null) ? provisioningUrl : connector.provisioningUrl();
			}
			else if (caCertificate == null) {
				caCertificate = DEFAULT_CA_CERTIFICATE;
			}
			if (properties.getStartup().getWaitForEdge().isNegative()) {
				throw new WarpConfigurationException("warp.startup.wait-for-edge", properties.getStartup().getWaitForEdge(),
						"it is negative", "Set warp.startup.wait-for-edge to 0 (do not wait) or a positive duration.");
			}
			if (properties.getConnections() != null && properties.getConnections() < 1) {
				throw new WarpConfigurationException("warp.connections", properties.getConnections(),
						"at least one connection is needed", "Set warp.connections to 1 or more, or leave it unset.");
			}
			TunnelSettings.Builder builder;
			try {
				builder = TunnelSettings.builder(hostname)
					.edgeAddressesSource(source)
					.caCertificate(caCertificate)
					.caPin((connector != null) ? connector.caPin() : null)
					.token((connector != null) ? connector.bearer() : properties.getToken());
				// What the application left unset keeps the settings' default.
				PropertyMapper map = PropertyMapper.get();
				map.from(addresses).to(builder::edgeAddresses);
				map.from(provisioningUrl).to(builder::provisioningUrl);
				map.from(properties::getConnections).to(builder::connections);
				map.from(properties::getGracePeriod).to(builder::gracePeriod);
				map.from(properties::getCredentialsDir).to(builder::credentialsDir);
				WarpProperties.Edge edge = properties.getEdge();
				map.from(edge::getConnectTimeout).to(builder::connectTimeout);
				map.from(edge::getRegistrationTimeout).to(builder::registrationTimeout);
				map.from(edge::getRebalanceInterval).to(builder::rebalanceInterval);
				// The settings take these in pairs, checked together: what is unset stays as it is.
				TunnelSettings current = builder.build();
				WarpProperties.Reconnect reconnect = properties.getReconnect();
				builder.backoff(requireNonNullElse(reconnect.getInitialDelay(), current.initialBackoff()),
						requireNonNullElse(reconnect.getMaxDelay(), current.maxBackoff()));
				WarpProperties.Heartbeat heartbeat = properties.getHeartbeat();
				builder.heartbeat(requireNonNullElse(heartbeat.getInterval(), current.heartbeatInterval()),
						requireNonNullElse(heartbeat.getMaxMissed(), current.heartbeatMisses()));
			}
			catch (IllegalArgumentException ex) {
				throw new WarpConfigurationException("warp.*", null, ex.getMessage(),
						"Correct the warp.* property the message names.");
			}
			// Outside the properties' error handling: a customizer's mistake is not a property's.
			customizer.accept(builder);
			return builder.build();
		}

		/** The edge addresses as written, parsed. */
		private static List<EdgeAddress> edgeAddresses(List<String> texts) {
			List<EdgeAddress> addresses;
			try {
				addresses = texts.stream().map(EdgeAddress::parse).toList();
			}
			catch (IllegalArgumentException ex) {
				throw new WarpConfigurationException("warp.edge.addresses", texts, ex.getMessage(),
						"List the edge's tunnel listeners as host:port, e.g. edge.example.test:7844.");
			}
			if (addresses.isEmpty()) {
				throw new WarpConfigurationException("warp.edge.addresses", addresses, "no edge address is configured",
						"List at least one edge tunnel listener as host:port, e.g. localhost:7844.");
			}
			return addresses;
		}

	}

}
