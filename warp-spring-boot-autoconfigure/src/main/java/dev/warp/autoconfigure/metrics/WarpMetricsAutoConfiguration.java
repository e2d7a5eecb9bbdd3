package dev.warp.autoconfigure.metrics;

import dev.warp.agent.WarpTunnel;
import dev.warp.autoconfigure.tunnel.WarpTunnelAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the tunnel's Micrometer metrics: a
 * {@link WarpTunnelMetrics} binder, which Spring Boot binds to the application's registry.
 */
@AutoConfiguration(after = WarpTunnelAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({ WarpTunnel.class, MeterBinder.class })
@ConditionalOnBean({ WarpTunnel.class, MeterRegistry.class })
public final class WarpMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WarpTunnelMetrics warpTunnelMetrics(WarpTunnel tunnel) {
		return new WarpTunnelMetrics(tunnel);
	}

}
