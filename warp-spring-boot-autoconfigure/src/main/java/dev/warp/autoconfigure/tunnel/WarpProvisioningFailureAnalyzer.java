package dev.warp.autoconfigure.tunnel;

import dev.warp.agent.ProvisioningException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains why the edge did not issue this application's origin certificate: the token is
 * unknown or revoked, it does not cover the hostname, or the request was refused.
 */
class WarpProvisioningFailureAnalyzer extends AbstractFailureAnalyzer<ProvisioningException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ProvisioningException cause) {
		String hostname = cause.hostname();
		return switch (cause.reason()) {
			case TOKEN_REJECTED -> new FailureAnalysis(
					"The Warp tunnel cannot obtain an origin certificate for " + hostname
							+ ": the edge refused the account token (warp.token). " + cause.getMessage(),
					"Set warp.token to a valid account token. The edge's operator creates one with "
							+ "'java -jar warp-edge.jar token create --zone <zone>' and lists them with 'token list' "
							+ "(a revoked token stays refused).",
					cause);
			case HOSTNAME_NOT_ALLOWED -> new FailureAnalysis(
					"The Warp tunnel cannot obtain an origin certificate for " + hostname
							+ ": the account token (warp.token) is not valid for this hostname. " + cause.getMessage(),
					"Use a token whose zone covers " + hostname + " (zone example.test covers example.test and every "
							+ "name below it), or set warp.hostname to a name inside the token's zones.",
					cause);
			case REQUEST_REJECTED -> new FailureAnalysis(
					"The Warp tunnel cannot obtain an origin certificate for " + hostname + ": " + cause.getMessage(),
					"Check warp.hostname is a plain DNS name and warp.edge.provisioning-url points at the edge's "
							+ "provisioning API (edge.provisioning.port).",
					cause);
			case CA_PIN_MISMATCH -> new FailureAnalysis(
					"The Warp tunnel does not trust the edge for " + hostname + ": " + cause.getMessage(),
					"Use a token created by the edge the application should reach ('java -jar warp-edge.jar token "
							+ "create' on that edge), or check that warp.edge.provisioning-url and warp.edge.addresses, "
							+ "when set, name that edge.",
					cause);
			case EDGE_UNREACHABLE -> new FailureAnalysis(
					"The Warp tunnel cannot obtain an origin certificate for " + hostname + ": " + cause.getMessage(),
					"Check that the edge runs and that warp.edge.provisioning-url (" + cause.url()
							+ ") is its provisioning API, reachable from here.",
					cause);
		};
	}

}
