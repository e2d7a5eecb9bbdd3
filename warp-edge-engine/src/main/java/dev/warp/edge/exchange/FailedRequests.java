package dev.warp.edge.exchange;

import java.util.concurrent.TimeoutException;

import dev.warp.edge.log.LogText;
import dev.warp.edge.log.RepeatedWarning;
import dev.warp.edge.tunnel.OriginFailure;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a visitor's request that failed on its way to the app becomes the edge's
 * answer, and where that is logged: {@code 504} when no response came in time, {@code 502}
 * otherwise, the cause in the body beside the {@code Warp-Ray}. Every path decides here: a
 * request on either visitor protocol, a WebSocket's handshake, one forwarded to a peer node.
 *
 * <p>A failed request is the app's or the network's matter and may come thousands of times a
 * minute: each one is logged at DEBUG with its ray id (what a visitor's report names), and the
 * operator gets one WARN a minute per kind with the count and the latest. A retry elsewhere is
 * not a failure: DEBUG only.
 */
public final class FailedRequests {

	private static final Logger logger = LoggerFactory.getLogger(FailedRequests.class);

	private static final RepeatedWarning badGateway = new RepeatedWarning(logger,
			"request(s) answered 502 (origin failed)");

	private static final RepeatedWarning gatewayTimeout = new RepeatedWarning(logger,
			"request(s) answered 504 (origin timed out)");

	private static final RepeatedWarning aborted = new RepeatedWarning(logger,
			"response(s) aborted after they had started (tunnel stream failed)");

	private FailedRequests() {
	}

	/**
	 * The edge's own answer to a request that failed before anything of its response was sent.
	 * @param status {@code 502} or {@code 504}
	 * @param cause the body's text, without the ray id
	 */
	public record Answer(HttpResponseStatus status, String cause) {
	}

	/**
	 * Decides the answer to a failure before the response: a {@link java.util.concurrent.TimeoutException}
	 * is a {@code 504}, a {@link NoTunnelException} a {@code 503}, anything else a {@code 502} that
	 * names its cause.
	 * @param what {@code Request} or {@code WebSocket}, as the log names it
	 * @param timedOut what did not come in time, for a {@code 504}: e.g. {@code no response within 30 s}
	 */
	public static Answer answer(String what, String ray, String host, Throwable cause, String timedOut) {
		if (cause instanceof TimeoutException) {
			return timedOut(what, ray, host, timedOut);
		}
		if (cause instanceof NoTunnelException) {
			return new Answer(HttpResponseStatus.SERVICE_UNAVAILABLE, cause.getMessage());
		}
		return failed(what, ray, host, reason(cause), cause);
	}

	/** A {@code 504}: {@code timedOut} says what did not come in time. */
	public static Answer timedOut(String what, String ray, String host, String timedOut) {
		logger.debug("{} {} for {}: {} (504)", what, ray, LogText.escape(host), timedOut);
		gatewayTimeout.occurred(host + ": " + timedOut);
		return new Answer(HttpResponseStatus.GATEWAY_TIMEOUT, "Origin timed out: " + timedOut);
	}

	/** A {@code 502} for {@code reason}, which the visitor reads; {@code cause}'s trace goes to DEBUG. */
	public static Answer failed(String what, String ray, String host, String reason, @Nullable Throwable cause) {
		logger.debug("{} {} for {}: {} (502)", what, ray, LogText.escape(host), LogText.escape(reason), cause);
		badGateway.occurred(host + ": " + reason);
		return new Answer(HttpResponseStatus.BAD_GATEWAY, "Origin failed: " + reason);
	}

	/** A {@code 413}: the request's body grew past {@code limit} bytes as it came. */
	public static Answer tooLarge(String what, String ray, String host, long limit) {
		logger.debug("{} {} for {}: body larger than {} bytes (413)", what, ray, LogText.escape(host), limit);
		return new Answer(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "Request body too large: the limit is " + limit
				+ " bytes");
	}

	/** A {@code 503}: no tunnel connection serves the hostname, here or on another node. */
	public static Answer noTunnel(String hostname) {
		return new Answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "No healthy tunnel for hostname " + hostname);
	}

	/** What a failure tells the visitor: an {@link OriginFailure}'s own words, anything else as it is. */
	public static String reason(Throwable cause) {
		return (cause instanceof OriginFailure) ? String.valueOf(cause.getMessage()) : String.valueOf(cause);
	}

	/** A response that had started broke: the visitor's connection or stream is aborted. */
	public static void aborted(String what, String ray, String host, @Nullable String cause) {
		logger.debug("{} {} for {}: {} after the response started; aborting the visitor's response", what, ray,
				LogText.escape(host), LogText.escape(cause));
		aborted.occurred(host + ": " + cause);
	}

	/** The request goes once more elsewhere ({@code where}: another tunnel connection, another node). */
	public static void retried(String what, String ray, String host, @Nullable String cause, String where) {
		logger.debug("{} {} for {}: {}; retrying on {}", what, ray, LogText.escape(host), LogText.escape(cause), where);
	}

}
