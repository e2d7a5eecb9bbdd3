package dev.warp.edge.visitor;

import dev.warp.edge.exchange.FailedRequests;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import org.jspecify.annotations.Nullable;

/**
 * The edge's own answers to visitors' requests whose head alone decides them, before any
 * routing; the forwarders write them through the request's exchange ({@code Exchange#refuse}), so
 * that they carry a {@code Warp-Ray} and count in the metrics like any answer. A head that breaks
 * the protocol's framing rules is refused before, and its connection closed
 * ({@link VisitorRequestHead}, {@link MalformedRequests}).
 */
final class EarlyAnswers {

	private static final FailedRequests.Answer CONNECT = new FailedRequests.Answer(HttpResponseStatus.NOT_IMPLEMENTED,
			"CONNECT is not supported: the edge is no forward proxy");

	static final FailedRequests.Answer MISSING_HOST = new FailedRequests.Answer(HttpResponseStatus.BAD_REQUEST,
			"Missing Host header");

	private EarlyAnswers() {
	}

	/**
	 * For an HTTP/1.x request: {@code 505} for a version other than HTTP/1.1 and HTTP/1.0,
	 * {@code 501} for {@code CONNECT}, {@code 417} for an expectation other than
	 * {@code 100-continue} (RFC 9110 10.1.1; an HTTP/1.0 request's is ignored, as that section
	 * asks), {@code 400} without a {@code Host} to route by.
	 * @param hostname the hostname its {@code Host} routes to, or {@code null}
	 * @return the answer, or {@code null} for a request to route
	 */
	static FailedRequests.@Nullable Answer of(HttpRequest request, @Nullable String hostname) {
		HttpVersion version = request.protocolVersion();
		if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
			return new FailedRequests.Answer(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "HTTP version not supported");
		}
		if (HttpMethod.CONNECT.equals(request.method())) {
			return CONNECT;
		}
		if (version == HttpVersion.HTTP_1_1 && request.headers().contains(HttpHeaderNames.EXPECT)
				&& !HttpUtil.is100ContinueExpected(request)) {
			return new FailedRequests.Answer(HttpResponseStatus.EXPECTATION_FAILED,
					"Only the expectation 100-continue is supported");
		}
		return (hostname != null) ? null : MISSING_HOST;
	}

	/**
	 * For an HTTP/2 request: {@code 501} for a {@code CONNECT} that opens no WebSocket,
	 * {@code 400} for a {@code host} that disagrees with {@code :authority} (RFC 9113 8.3.1; the
	 * stream is refused, not the connection) or without an authority to route by. An expectation
	 * other than {@code 100-continue} is ignored.
	 * @param hostname the hostname its authority routes to, or {@code null}
	 * @return the answer, or {@code null} for a request to route
	 */
	static FailedRequests.@Nullable Answer of(Http2Headers headers, boolean connect, @Nullable String hostname) {
		if (connect) {
			return CONNECT;
		}
		if (!VisitorRequestHead.hostsAgree(headers)) {
			return new FailedRequests.Answer(HttpResponseStatus.BAD_REQUEST, "Invalid or conflicting Host and :authority");
		}
		return (hostname != null) ? null : MISSING_HOST;
	}

}
