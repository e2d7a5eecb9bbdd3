package dev.warp.edge.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The node's meters in Prometheus' text format, when {@code micrometer-registry-prometheus} is on
 * the class path: the edge application has it, an edge embedded in tests need not. Only this
 * class names Prometheus' types, so that the rest of the engine loads without them.
 */
final class PrometheusFormat {

	private static final boolean PRESENT = isPresent();

	private PrometheusFormat() {
	}

	/** A registry of the node's own: Prometheus' when it is there, a simple one otherwise. */
	static MeterRegistry newRegistry() {
		return PRESENT ? Present.newRegistry() : new SimpleMeterRegistry();
	}

	/**
	 * The meters of {@code registry} (or of the Prometheus registry within a composite one) as
	 * Prometheus text, or {@code null} when there is none.
	 */
	static @Nullable String scrape(MeterRegistry registry) {
		return PRESENT ? Present.scrape(registry) : null;
	}

	/**
	 * What names Prometheus' types, loaded only when they are there: the JVM's verifier loads the
	 * types a method's code assigns, so they cannot stand in {@link PrometheusFormat} itself.
	 */
	private static final class Present {

		static MeterRegistry newRegistry() {
			return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		}

		static @Nullable String scrape(MeterRegistry registry) {
			PrometheusMeterRegistry prometheus = prometheus(registry);
			return (prometheus != null) ? prometheus.scrape() : null;
		}

		private static @Nullable PrometheusMeterRegistry prometheus(MeterRegistry registry) {
			if (registry instanceof PrometheusMeterRegistry prometheus) {
				return prometheus;
			}
			if (registry instanceof CompositeMeterRegistry composite) {
				for (MeterRegistry member : composite.getRegistries()) {
					PrometheusMeterRegistry prometheus = prometheus(member);
					if (prometheus != null) {
						return prometheus;
					}
				}
			}
			return null;
		}

	}

	private static boolean isPresent() {
		try {
			Class.forName("io.micrometer.prometheusmetrics.PrometheusMeterRegistry", false,
					PrometheusFormat.class.getClassLoader());
			return true;
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return false;
		}
	}

}
