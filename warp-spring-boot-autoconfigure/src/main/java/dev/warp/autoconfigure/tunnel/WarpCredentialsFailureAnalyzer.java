package dev.warp.autoconfigure.tunnel;

import dev.warp.agent.MissingTokenException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a tunnel with no usable origin certificate and no account token to obtain one.
 */
class WarpCredentialsFailureAnalyzer extends AbstractFailureAnalyzer<MissingTokenException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingTokenException cause) {
		return new FailureAnalysis("The Warp tunnel cannot start: " + cause.getMessage() + ". It looked in "
				+ cause.directory() + ".",
				"Set warp.token to an account token whose zone covers " + cause.hostname() + " (the edge's operator "
						+ "creates one with 'java -jar warp-edge.jar token create --zone <zone>'). With it the tunnel "
						+ "obtains its certificate from the edge and keeps it in warp.credentials-dir.",
				cause);
	}

}
