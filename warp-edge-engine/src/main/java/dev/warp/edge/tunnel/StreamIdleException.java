package dev.warp.edge.tunnel;

import java.time.Duration;

/**
 * A tunneled request's stream passed no byte in either direction for {@code edge.proxy.idle-timeout}.
 */
public final class StreamIdleException extends RuntimeException {

	public StreamIdleException(Duration timeout) {
		super("no bytes in either direction for " + timeout.toMillis() + " ms (edge.proxy.idle-timeout)", null, false,
				false);
	}

}
