package dev.warp.autoconfigure.availability;

import dev.warp.agent.WarpTunnel;
import dev.warp.autoconfigure.tunnel.WarpTunnelAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} that makes the tunnel follow the
 * application's availability states: see {@link WarpAvailabilityListener}.
 */
@AutoConfiguration(after = WarpTunnelAutoConfiguration.class)
@ConditionalOnClass(WarpTunnel.class)
@ConditionalOnBean(WarpTunnel.class)
public final class WarpAvailabilityAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WarpAvailabilityListener warpAvailabilityListener(WarpTunnel tunnel) {
		return new WarpAvailabilityListener(tunnel);
	}

}
