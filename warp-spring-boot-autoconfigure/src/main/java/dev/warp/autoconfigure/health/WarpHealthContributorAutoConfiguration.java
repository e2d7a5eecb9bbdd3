package dev.warp.autoconfigure.health;

import dev.warp.agent.WarpTunnel;
import dev.warp.autoconfigure.tunnel.WarpTunnelAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for {@link WarpHealthIndicator}: the
 * {@code warp} component of the health endpoint. Off with
 * {@code management.health.warp.enabled=false}.
 */
@AutoConfiguration(after = WarpTunnelAutoConfiguration.class)
@ConditionalOnClass({ WarpTunnel.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(WarpTunnel.class)
@ConditionalOnEnabledHealthIndicator("warp")
public final class WarpHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "warpHealthIndicator")
	WarpHealthIndicator warpHealthIndicator(WarpTunnel tunnel) {
		return new WarpHealthIndicator(tunnel);
	}

}
