package dev.warp.edge.ingress;

/**
 * The agent's side failed a request: the stream was reset, the tunnel connection closed, or the
 * agent broke the protocol. Its message is shown to the visitor, so it names the cause without
 * internals.
 */
final class OriginFailure extends RuntimeException {

	OriginFailure(String message) {
		super(message, null, false, false);
	}

	OriginFailure(String message, Throwable cause) {
		super(message, cause, false, false);
	}

}
