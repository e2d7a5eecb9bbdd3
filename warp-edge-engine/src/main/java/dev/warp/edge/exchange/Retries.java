package dev.warp.edge.exchange;

import dev.warp.edge.tunnel.StreamConnection;
import org.jspecify.annotations.Nullable;

/**
 * Where an {@link Exchange}'s request goes again after an attempt that failed before its response,
 * when the failure allows a retry: once to another connection of its hostname, and, for a request
 * without a body, once to another edge node ({@link Upstream#elsewhere}): an outage that kills one
 * tunnel connection of a node often kills the others a moment later.
 */
final class Retries {

	private final Upstream upstream;

	private final String hostname;

	private boolean retried;

	/** Whether the request went to another node after it failed on every connection here. */
	private boolean wentElsewhere;

	Retries(Upstream upstream, String hostname) {
		this.upstream = upstream;
		this.hostname = hostname;
	}

	/** The connection of the next attempt after one failed on {@code failedOn}, or {@code null} for none. */
	@Nullable StreamConnection next(@Nullable StreamConnection failedOn, boolean hasBody) {
		StreamConnection other = this.retried ? null : this.upstream.another(this.hostname, failedOn);
		if (other == null && !hasBody && !this.wentElsewhere) {
			other = this.upstream.elsewhere(this.hostname, failedOn);
			this.wentElsewhere = other != null;
		}
		this.retried |= other != null;
		return other;
	}

}
