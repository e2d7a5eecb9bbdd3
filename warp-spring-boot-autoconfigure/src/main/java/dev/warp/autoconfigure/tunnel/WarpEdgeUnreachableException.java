package dev.warp.autoconfigure.tunnel;

import java.time.Duration;

/**
 * No tunnel connection registered within {@code warp.startup.wait-for-edge}. Reported at startup
 * by {@link WarpEdgeUnreachableFailureAnalyzer}.
 */
public class WarpEdgeUnreachableException extends RuntimeException {

	private final Duration waited;

	private final String lastError;

	public WarpEdgeUnreachableException(Duration waited, String lastError) {
		super("No tunnel connection registered at an edge within " + waited.toMillis() + " ms: " + lastError);
		this.waited = waited;
		this.lastError = lastError;
	}

	public Duration getWaited() {
		return this.waited;
	}

	public String getLastError() {
		return this.lastError;
	}

}
