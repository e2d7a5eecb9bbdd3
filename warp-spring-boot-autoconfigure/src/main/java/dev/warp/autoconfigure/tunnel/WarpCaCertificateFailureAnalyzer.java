package dev.warp.autoconfigure.tunnel;

import dev.warp.agent.InvalidCaCertificateException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an edge CA certificate the tunnel cannot use: without it no edge can be trusted, so
 * the application does not start half-configured.
 */
class WarpCaCertificateFailureAnalyzer extends AbstractFailureAnalyzer<InvalidCaCertificateException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidCaCertificateException cause) {
		return new FailureAnalysis("The Warp tunnel cannot start: " + cause.getMessage() + ".",
				"Set warp.edge.ca-certificate to the edge's CA certificate: the edge writes it to ca.pem in its data "
						+ "directory (edge.data-dir) at first start. Copy that file to this machine if the edge runs elsewhere.",
				cause);
	}

}
