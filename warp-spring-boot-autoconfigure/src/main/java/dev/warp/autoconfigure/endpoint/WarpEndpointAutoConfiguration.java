package dev.warp.autoconfigure.endpoint;

import dev.warp.agent.WarpTunnel;
import dev.warp.autoconfigure.tunnel.WarpTunnelAutoConfiguration;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the {@link WarpEndpoint}. Like every
 * actuator endpoint it must be exposed ({@code management.endpoints.web.exposure.include}) to
 * be reachable over HTTP, and {@code management.endpoint.warp.access} limits it to
 * {@code read-only} or turns it off.
 */
@AutoConfiguration(after = WarpTunnelAutoConfiguration.class)
@ConditionalOnClass({ WarpTunnel.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(WarpTunnel.class)
@ConditionalOnAvailableEndpoint(WarpEndpoint.class)
public final class WarpEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WarpEndpoint warpEndpoint(WarpTunnel tunnel) {
		return new WarpEndpoint(tunnel);
	}

}
