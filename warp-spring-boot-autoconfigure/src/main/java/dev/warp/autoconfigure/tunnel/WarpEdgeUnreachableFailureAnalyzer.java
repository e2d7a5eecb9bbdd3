package dev.warp.autoconfigure.tunnel;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an edge that could not be reached within {@code warp.startup.wait-for-edge}.
 */
class WarpEdgeUnreachableFailureAnalyzer extends AbstractFailureAnalyzer<WarpEdgeUnreachableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, WarpEdgeUnreachableException cause) {
		return new FailureAnalysis("The Warp tunnel did not reach an edge within warp.startup.wait-for-edge ("
				+ cause.getWaited().toMillis() + " ms). Last error: " + cause.getLastError() + ".",
				"Check that the edge is running and reachable at warp.edge.addresses (and its provisioning API at "
						+ "warp.edge.provisioning-url). To let the application start while the edge is down, set "
						+ "warp.startup.wait-for-edge=0 (the default): the tunnel then keeps retrying in the background.",
				cause);
	}

}
