package dev.warp.autoconfigure.test;

import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Keeps the tunnel off in every test context ({@code @SpringBootTest}, {@code @WebFluxTest}, …):
 * a test dials no edge and needs no token, CA or credentials, even when the application's own
 * configuration names a production edge. A test opts in with
 * {@value #ENABLED_PROPERTY}{@code =true}; {@code @AutoConfigureWarpEdge} of
 * {@code warp-spring-boot-test} does so and points the tunnel at an edge of its own.
 *
 * <p>Registered in {@code META-INF/spring.factories}, which only spring-test reads: an
 * application without spring-test never loads this class.
 */
class WarpTestContextCustomizerFactory implements ContextCustomizerFactory {

	/** The property that turns the tunnel on in a test. */
	static final String ENABLED_PROPERTY = "spring.test.warp.enabled";

	@Override
	public ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		return new TunnelOffInTests();
	}

	/**
	 * Sets {@code warp.enabled=false} above every other property source unless the test opted
	 * in, and lets health groups name the component the tunnel then does not have.
	 */
	private static final class TunnelOffInTests implements ContextCustomizer {

		private static final Logger logger = LoggerFactory.getLogger(TunnelOffInTests.class);

		private static final String PROPERTY_SOURCE = "warpTunnelOffInTests";

		@Override
		public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration configuration) {
			ConfigurableEnvironment environment = context.getEnvironment();
			if (environment.getProperty(ENABLED_PROPERTY, Boolean.class, false)) {
				return;
			}
			if (environment.getProperty("warp.hostname") != null) {
				logger.debug("Warp tunnel off in this test: it dials no edge. Set {}=true to open it, or use "
						+ "@AutoConfigureWarpEdge to test through an embedded edge.",
						ENABLED_PROPERTY);
			}
			// A health group that includes the tunnel's component (readiness, say) must not fail
			// the test for its absence.
			environment.getPropertySources()
				.addFirst(new MapPropertySource(PROPERTY_SOURCE, Map.of("warp.enabled", "false",
						"management.endpoint.health.validate-group-membership", "false")));
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

}
