package dev.warp.edge.acme;

import java.util.Collection;
import java.util.function.Supplier;

import dev.warp.edge.EdgeSettings;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a node's ACME certificates as its settings say: none without an ACME CA. */
public final class AcmeStartup {

	private static final Logger logger = LoggerFactory.getLogger(AcmeStartup.class);

	private AcmeStartup() {
	}

	/**
	 * The node's certificates from its ACME CA, their meters on the registry.
	 * @param zones the zones of the account tokens now
	 * @return {@code null} when the node has no ACME CA
	 * @throws IllegalStateException when an ACME CA is configured without the TLS public listener,
	 * or the cluster's Redis cannot be reached
	 */
	public static @Nullable AcmeCertificates start(EdgeSettings settings, Supplier<? extends Collection<String>> zones,
			MeterRegistry registry) {
		if (!settings.acme().enabled()) {
			return null;
		}
		if (settings.publicTls() == null) {
			throw new IllegalStateException("ACME certificates (edge.public.tls.acme.directory-url) are for the TLS public "
					+ "listener: set edge.public.tls.port too");
		}
		AcmeCertificates acme = AcmeCertificates.start(settings.acme(), settings.dataDir(), zones,
				settings.clusterRedisUrl(), settings.nodeId());
		AcmeMetrics.bind(acme, registry);
		logger.info("Edge node {}: certificates from the ACME CA {} for the hostnames within the tokens' zones "
				+ "(challenges {}{}), {} stored", settings.nodeId(), settings.acme().directoryUrl(),
				settings.acme().challenges(), (settings.clusterRedisUrl() != null) ? ", shared in the cluster's Redis" : "",
				acme.heldCount());
		return acme;
	}

}
