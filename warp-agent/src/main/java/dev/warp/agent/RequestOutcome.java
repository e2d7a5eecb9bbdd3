package dev.warp.agent;

/**
 * How a tunneled request ended, as the {@code outcome} tag of request metrics shows it: the
 * status series, as Spring's own HTTP server metrics name them, and {@link #CANCELLED} for a
 * request that the edge reset before the application had answered (the visitor went away). A
 * response cancelled while it streams counts with its status.
 */
public enum RequestOutcome {

	/** 1xx. */
	INFORMATIONAL,

	/** 2xx. */
	SUCCESS,

	/** 3xx. */
	REDIRECTION,

	/** 4xx. */
	CLIENT_ERROR,

	/** 5xx, including a handler that failed before it answered (sent as 500). */
	SERVER_ERROR,

	/** The edge reset the stream before the response started. */
	CANCELLED,

	/** A status outside 100 to 599. */
	UNKNOWN;

	/** The outcome of a request that completed with this status code. */
	public static RequestOutcome forStatus(int status) {
		return switch (status / 100) {
			case 1 -> INFORMATIONAL;
			case 2 -> SUCCESS;
			case 3 -> REDIRECTION;
			case 4 -> CLIENT_ERROR;
			case 5 -> SERVER_ERROR;
			default -> UNKNOWN;
		};
	}

}
