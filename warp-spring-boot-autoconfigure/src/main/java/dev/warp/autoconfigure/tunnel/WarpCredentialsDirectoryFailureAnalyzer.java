package dev.warp.autoconfigure.tunnel;

import dev.warp.agent.CredentialsDirectoryException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a credentials directory the tunnel cannot write its key and certificate to.
 */
class WarpCredentialsDirectoryFailureAnalyzer extends AbstractFailureAnalyzer<CredentialsDirectoryException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, CredentialsDirectoryException cause) {
		return new FailureAnalysis("The Warp tunnel cannot start: " + cause.getMessage() + ".",
				"Make " + cause.directory() + " writable by the user this application runs as, or set "
						+ "warp.credentials-dir to a directory it owns (the tunnel creates it owner-only).",
				cause);
	}

}
