package dev.warp.agent;

import java.util.Locale;

/** Where one tunnel connection stands; what health and metrics show. */
public enum ConnectionState {

	/** Dialling, TLS handshake, or waiting for the edge to accept the registration. */
	CONNECTING,

	/** Registered: the edge routes requests for the hostname to this connection. */
	REGISTERED,

	/** The edge no longer sends new requests here; in-flight ones finish, then it closes. */
	DRAINING,

	/** Closed after a failure; the next attempt waits for the backoff delay. */
	BACKOFF,

	/** Closed for good (the tunnel is stopping or stopped). */
	CLOSED;

	/** The lower-case name shown in health details and metric tags. */
	public String displayName() {
		return name().toLowerCase(Locale.ROOT);
	}

}
