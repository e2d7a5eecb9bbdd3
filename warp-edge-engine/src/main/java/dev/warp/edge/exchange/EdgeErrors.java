package dev.warp.edge.exchange;

import java.time.Duration;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * The edge's own error responses to visitors: a status and a one-line text body that names the
 * cause and the request's {@code Warp-Ray}, so that a visitor's report can be found in the logs.
 */
public final class EdgeErrors {

	/** The name of the ray header on visitors' responses. */
	public static final String RAY_HEADER = "Warp-Ray";

	/** The ray header's name as HTTP/2 writes it: lower case (RFC 9113 8.2.1). */
	public static final AsciiString RAY_HEADER_LOWER = AsciiString.cached("warp-ray");

	private EdgeErrors() {
	}

	/** The same error as a whole HTTP/1.1 response, for a visitor's connection written to directly. */
	public static FullHttpResponse response(ByteBufAllocator allocator, HttpResponseStatus status, String cause, String ray) {
		byte[] body = bodyBytes(cause, ray);
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
				allocator.buffer(body.length).writeBytes(body));
		setHeaders(response.headers(), ray);
		response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
		return response;
	}

	/** The head of the same error for an HTTP/2 visitor, whose body is {@link #bodyBytes}. */
	public static Http2Headers http2Headers(HttpResponseStatus status, int contentLength, String ray) {
		return new DefaultHttp2Headers().status(status.codeAsText())
			.set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
			.set(HttpHeaderNames.CACHE_CONTROL, "no-store")
			.set(RAY_HEADER_LOWER, ray)
			.setInt(HttpHeaderNames.CONTENT_LENGTH, contentLength);
	}

	public static byte[] bodyBytes(String cause, String ray) {
		return body(cause, ray).getBytes(StandardCharsets.UTF_8);
	}

	private static void setHeaders(HttpHeaders headers, String ray) {
		headers.set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
			.set(HttpHeaderNames.CACHE_CONTROL, "no-store")
			.set(RAY_HEADER, ray);
	}

	private static String body(String cause, String ray) {
		return cause + " (Warp-Ray: " + ray + ")\n";
	}

	/** A timeout as visitors read it: whole seconds as {@code 30 s}, anything else in milliseconds. */
	public static String describe(Duration duration) {
		long millis = duration.toMillis();
		return (millis % 1000 == 0) ? (millis / 1000) + " s" : millis + " ms";
	}

}
