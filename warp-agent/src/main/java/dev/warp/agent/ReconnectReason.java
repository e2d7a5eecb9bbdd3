package dev.warp.agent;

import java.util.Locale;

/**
 * Why the tunnel dialled a new connection in place of another: what the {@code reason} tag of
 * the reconnect counter shows. The first dial of each connection is not a reconnect.
 */
public enum ReconnectReason {

	/** The edge could not be reached: connection refused, timed out, name not resolved. */
	CONNECT,

	/** The TLS handshake failed: a certificate was refused, or the edge refused the agent. */
	TLS,

	/** The connection came up but the edge did not complete the registration. */
	REGISTRATION,

	/** The edge stopped answering heartbeats and the connection was declared dead. */
	HEARTBEAT,

	/** The edge closed a registered connection, or its control stream ended, without error. */
	CLOSED,

	/** A registered connection failed for another reason (reset by the network, protocol error). */
	ERROR,

	/** The edge asked the connection to drain; a replacement was opened before it went. */
	EDGE_DRAIN,

	/** The connection moved to another edge node so that the tunnel spreads over several. */
	REBALANCE,

	/** The origin certificate was renewed; the new connection presents the new one. */
	CERTIFICATE_RENEWED,

	/** An operator asked for it (the actuator endpoint's reconnect operation, or the API). */
	REQUESTED;

	/** The tag value: the name in lower case, words joined by {@code -}. */
	public String tagValue() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
