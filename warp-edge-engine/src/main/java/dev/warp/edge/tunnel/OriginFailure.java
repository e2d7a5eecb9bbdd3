package dev.warp.edge.tunnel;

import java.util.Set;

import io.netty.handler.codec.http.HttpMethod;
import org.jspecify.annotations.Nullable;

/**
 * The agent's side failed a request: the stream was reset, the tunnel connection closed, or the
 * agent broke the protocol. Its message is shown to the visitor, so it names the cause without
 * internals. It also says whether the request may be sent again on another connection.
 */
public final class OriginFailure extends RuntimeException {

	/** Methods that may be sent twice with the effect of once (RFC 9110, 9.2.2). */
	private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
			HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

	private final Retry retry;

	public OriginFailure(String message) {
		this(message, null, Retry.NEVER);
	}

	public OriginFailure(String message, Throwable cause) {
		this(message, cause, Retry.NEVER);
	}

	private OriginFailure(String message, @Nullable Throwable cause, Retry retry) {
		super(message, cause, false, false);
		this.retry = retry;
	}

	/** The tunnel connection died under the request: the app may or may not have seen it. */
	public static OriginFailure connectionLost(String message) {
		return new OriginFailure(message, null, Retry.IF_IDEMPOTENT);
	}

	/** The request never reached the application (refused stream, draining connection). */
	public static OriginFailure unprocessed(String message, @Nullable Throwable cause) {
		return new OriginFailure(message, cause, Retry.ALWAYS);
	}

	/**
	 * Whether the request may go to another connection.
	 * @param method the request's method
	 * @param bodyStarted whether any of the visitor's body was consumed (it cannot be replayed)
	 */
	public boolean allowsRetry(HttpMethod method, boolean bodyStarted) {
		return switch (this.retry) {
			case NEVER -> false;
			case ALWAYS -> !bodyStarted;
			case IF_IDEMPOTENT -> !bodyStarted && IDEMPOTENT.contains(method);
		};
	}

	private enum Retry {

		NEVER, IF_IDEMPOTENT, ALWAYS

	}

}
