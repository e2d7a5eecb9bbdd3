package dev.warp.agent;

import java.time.Duration;

/**
 * One request the tunnel served, once it has ended.
 *
 * @param method the HTTP method, upper case; {@code OTHER} for one outside the standard set, so
 * that a visitor cannot create any number of tag values
 * @param status the status code sent, or {@code -1} when no response head went out (the request
 * was cancelled before)
 * @param outcome how it ended
 * @param duration from the stream's arrival to the end of the response (or the cancellation)
 */
public record TunnelRequest(String method, int status, RequestOutcome outcome, Duration duration) {

	/** The status as a tag value: the code, or {@code UNKNOWN} when none was sent. */
	public String statusTag() {
		return (this.status > 0) ? Integer.toString(this.status) : "UNKNOWN";
	}

}
