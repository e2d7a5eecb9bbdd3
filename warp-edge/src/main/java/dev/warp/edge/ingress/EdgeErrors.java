package dev.warp.edge.ingress;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The edge's own error responses to visitors: a status and a one-line text body that names the
 * cause and the request's {@code Warp-Ray}, so that a visitor's report can be found in the logs.
 */
final class EdgeErrors {

	/** The name of the ray header on visitors' responses. */
	static final String RAY_HEADER = "Warp-Ray";

	private EdgeErrors() {
	}

	static Mono<Void> send(HttpServerResponse response, HttpResponseStatus status, String cause, String ray) {
		// Headers of an agent's response may be set already when it failed before sending them.
		response.responseHeaders().clear();
		return response.status(status)
			.header(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
			.header(HttpHeaderNames.CACHE_CONTROL, "no-store")
			.header(RAY_HEADER, ray)
			.sendString(Mono.just(cause + " (Warp-Ray: " + ray + ")\n"))
			.then();
	}

}
