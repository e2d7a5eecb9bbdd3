package dev.warp.autoconfigure.tunnel;

import java.util.List;

import dev.warp.agent.TunnelSettings;
import dev.warp.agent.WarpTunnel;
import dev.warp.agent.connection.EdgeAddress;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * Auto-configuration of the Warp tunnel: with {@code warp.hostname} set, the application's own
 * WebFlux handler chain is served through outbound tunnel connections to the edge.
 */
@AutoConfiguration(after = HttpHandlerAutoConfiguration.class)
@ConditionalOnClass({ WarpTunnel.class, HttpHandler.class })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnProperty(prefix = "warp", name = "hostname")
@ConditionalOnBooleanProperty(name = "warp.enabled", matchIfMissing = true)
@EnableConfigurationProperties(WarpProperties.class)
public final class WarpTunnelAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TunnelSettings warpTunnelSettings(WarpProperties properties) {
		return WarpSettingsFactory.create(properties);
	}

	@Bean
	@ConditionalOnMissingBean
	WarpTunnel warpTunnel(TunnelSettings settings, ListableBeanFactory beanFactory,
			ObjectProvider<HttpHandler> httpHandler) {
		// Whether there is one, without creating it: see DeferredHttpHandler.
		if (beanFactory.getBeanNamesForType(HttpHandler.class, true, false).length == 0) {
			throw new WarpConfigurationException("warp.hostname", settings.hostname(),
					"the application has no WebFlux HttpHandler to serve through the tunnel",
					"Add spring-boot-starter-webflux to the application, or remove warp.hostname.");
		}
		return new WarpTunnel(settings, new DeferredHttpHandler(httpHandler));
	}

	@Bean
	@ConditionalOnMissingBean
	WarpTunnelLifecycle warpTunnelLifecycle(WarpTunnel tunnel, WarpProperties properties) {
		return new WarpTunnelLifecycle(tunnel, properties.getStartup().getWaitForEdge());
	}

	/** Turns bound properties into the agent's settings, naming the property at fault. */
	static final class WarpSettingsFactory {

		private WarpSettingsFactory() {
		}

		static TunnelSettings create(WarpProperties properties) {
			String hostname = properties.getHostname();
			if (hostname == null || hostname.isBlank() || hostname.contains("/") || hostname.contains(":")) {
				throw new WarpConfigurationException("warp.hostname", hostname, "it is not a hostname",
						"Set warp.hostname to the public hostname of the application, e.g. shop.example.test.");
			}
			List<EdgeAddress> addresses;
			try {
				addresses = properties.getEdge().getAddresses().stream().map(EdgeAddress::parse).toList();
			}
			catch (IllegalArgumentException ex) {
				throw new WarpConfigurationException("warp.edge.addresses", properties.getEdge().getAddresses(),
						ex.getMessage(), "List the edge's tunnel listeners as host:port, e.g. edge.example.test:7844.");
			}
			if (addresses.isEmpty()) {
				throw new WarpConfigurationException("warp.edge.addresses", addresses, "no edge address is configured",
						"List at least one edge tunnel listener as host:port, e.g. localhost:7844.");
			}
			if (properties.getStartup().getWaitForEdge().isNegative()) {
				throw new WarpConfigurationException("warp.startup.wait-for-edge", properties.getStartup().getWaitForEdge(),
						"it is negative", "Set warp.startup.wait-for-edge to 0 (do not wait) or a positive duration.");
			}
			if (properties.getConnections() < 1) {
				throw new WarpConfigurationException("warp.connections", properties.getConnections(),
						"at least one connection is needed", "Set warp.connections to 1 or more (default 4).");
			}
			try {
				TunnelSettings.Builder builder = TunnelSettings.builder(hostname)
					.edgeAddresses(addresses)
					.caCertificate(properties.getEdge().getCaCertificate())
					.connections(properties.getConnections())
					.gracePeriod(properties.getGracePeriod())
					.connectTimeout(properties.getEdge().getConnectTimeout())
					.registrationTimeout(properties.getEdge().getRegistrationTimeout())
					.backoff(properties.getReconnect().getInitialDelay(), properties.getReconnect().getMaxDelay())
					.heartbeat(properties.getHeartbeat().getInterval(), properties.getHeartbeat().getMaxMissed())
					.rebalanceInterval(properties.getEdge().getRebalanceInterval())
					.token(properties.getToken())
					.credentialsDir(properties.getCredentialsDir());
				if (properties.getEdge().getProvisioningUrl() != null) {
					builder.provisioningUrl(properties.getEdge().getProvisioningUrl());
				}
				return builder.build();
			}
			catch (IllegalArgumentException ex) {
				throw new WarpConfigurationException("warp.*", null, ex.getMessage(),
						"Correct the warp.* property the message names.");
			}
		}

	}

}
