package dev.warp.edge.tunnel;

import java.util.Locale;

/**
 * Where a {@link TunnelConnection} is in its life.
 */
public enum ConnectionState {

	/** TLS and HTTP/2 are up; the agent has not registered a hostname yet. */
	CONNECTED,

	/** The agent registered a hostname; the connection takes new requests. */
	REGISTERED,

	/** No new requests: the agent asked to drain or ended its control stream. In-flight ones finish. */
	DRAINING,

	/** The connection is closed. */
	CLOSED;

	/** The name used in the status API and in logs. */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

}
