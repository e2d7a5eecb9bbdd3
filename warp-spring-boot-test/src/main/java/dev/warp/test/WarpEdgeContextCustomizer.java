package dev.warp.test;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Starts the embedded edge before the application context refreshes, so that the tunnel's
 * auto-configuration binds its addresses, CA, token and credentials directory; registers it as
 * the {@link WarpTestEdge} bean, which closes with the context; and holds the context back
 * until the application's hostname is served through the edge.
 */
final class WarpEdgeContextCustomizer implements ContextCustomizer {

	/** The port of the edge's public listener; {@code 0} for a free one. */
	static final String PUBLIC_PORT_PROPERTY = "spring.test.warp.edge.public-port";

	/** How long the application has to be served through the edge once it starts. */
	static final Duration SERVED_TIMEOUT = Duration.ofSeconds(30);

	@Override
	public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration configuration) {
		ConfigurableEnvironment environment = context.getEnvironment();
		String hostname = environment.getProperty("warp.hostname");
		if (hostname == null || hostname.isBlank()) {
			hostname = "app-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ".warp.test";
		}
		WarpTestEdge edge = WarpTestEdge.start(hostname, environment.getProperty(PUBLIC_PORT_PROPERTY, Integer.class, 0));
		try {
			environment.getPropertySources()
				.addFirst(new MapPropertySource("warpTestEdge", edge.applicationProperties(SERVED_TIMEOUT)));
			// Reconnect quickly after a test stops and restarts the edge, unless the application says otherwise.
			environment.getPropertySources()
				.addLast(new MapPropertySource("warpTestEdgeDefaults",
						Map.of("warp.reconnect.initial-delay", "100ms", "warp.reconnect.max-delay", "1s")));
			ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
			beanFactory.registerSingleton("warpTestEdge", edge);
			if (beanFactory instanceof DefaultSingletonBeanRegistry registry) {
				registry.registerDisposableBean("warpTestEdge", edge::close);
			}
			context.addApplicationListener((ApplicationEvent event) -> {
				if (event instanceof ApplicationReadyEvent) {
					edge.awaitServed(SERVED_TIMEOUT);
				}
			});
		}
		catch (RuntimeException ex) {
			edge.close();
			throw ex;
		}
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return other != null && other.getClass() == getClass();
	}

	@Override
	public int hashCode() {
		return getClass().hashCode();
	}

}
