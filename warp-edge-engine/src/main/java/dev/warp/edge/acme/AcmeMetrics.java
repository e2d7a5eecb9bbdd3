package dev.warp.edge.acme;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The meters of the ACME certificates: {@code warp.edge.acme.certificates} (gauge: held now),
 * {@code warp.edge.acme.orders} (counter, tag {@code outcome}: {@code issued}, {@code failed}).
 */
public final class AcmeMetrics {

	private AcmeMetrics() {
	}

	public static void bind(AcmeCertificates certificates, MeterRegistry registry) {
		Gauge.builder("warp.edge.acme.certificates", certificates, AcmeCertificates::heldCount)
			.description("Certificates from the ACME CA this edge node holds")
			.register(registry);
		FunctionCounter.builder("warp.edge.acme.orders", certificates, AcmeCertificates::issuedCount)
			.description("ACME orders of this edge node, by outcome")
			.tag("outcome", "issued")
			.register(registry);
		FunctionCounter.builder("warp.edge.acme.orders", certificates, AcmeCertificates::failedCount)
			.description("ACME orders of this edge node, by outcome")
			.tag("outcome", "failed")
			.register(registry);
	}

}
