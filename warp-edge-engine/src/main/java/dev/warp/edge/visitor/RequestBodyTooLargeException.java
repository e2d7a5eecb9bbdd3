package dev.warp.edge.visitor;



/**
 * A visitor's request body grew past {@code edge.proxy.max-request-body} while it streamed.
 */
public final class RequestBodyTooLargeException extends RuntimeException {

	private final long limit;

	RequestBodyTooLargeException(long limit) {
		super("request body larger than the edge's limit of " + limit + " bytes", null, false, false);
		this.limit = limit;
	}

	long limit() {
		return this.limit;
	}

}
