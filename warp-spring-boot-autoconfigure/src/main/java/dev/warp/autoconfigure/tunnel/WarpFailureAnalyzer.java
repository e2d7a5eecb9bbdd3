package dev.warp.autoconfigure.tunnel;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a misconfigured tunnel at startup: what is wrong and what to change.
 */
class WarpFailureAnalyzer extends AbstractFailureAnalyzer<WarpConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, WarpConfigurationException cause) {
		String description = "The Warp tunnel cannot start: " + cause.getProperty() + " = '" + cause.getValue() + "' is "
				+ "unusable because " + cause.getReason() + ".";
		return new FailureAnalysis(description, cause.getAction(), cause);
	}

}
