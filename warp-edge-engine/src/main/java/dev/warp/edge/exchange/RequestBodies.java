package dev.warp.edge.exchange;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.jspecify.annotations.Nullable;

/**
 * What a visitor's request headers say about its body: the one place that reads
 * {@code Content-Length} and {@code Transfer-Encoding} for the proxy, its size limit and the
 * cluster's forwarding (and a response's declared length, for when its head is flushed).
 */
public final class RequestBodies {

	/** {@link #declaredLength} of a request without a usable {@code Content-Length}. */
	public static final long UNKNOWN_LENGTH = -1;

	private RequestBodies() {
	}

	/**
	 * The length the request declares, or {@link #UNKNOWN_LENGTH} when it declares none or one
	 * that is not a non-negative number (its body then streams, counted as it comes).
	 */
	public static long declaredLength(HttpHeaders headers) {
		return parse(headers.get(HttpHeaderNames.CONTENT_LENGTH));
	}

	/** The same, of an HTTP/2 request's {@code content-length} value ({@code null} without one). */
	public static long declaredLength(@Nullable CharSequence contentLength) {
		return parse((contentLength != null) ? contentLength.toString() : null);
	}

	/**
	 * Whether a body follows the headers: chunked, or a declared length above zero. A length
	 * that cannot be read counts as a body, so that whatever does follow is forwarded, not lost.
	 */
	public static boolean hasBody(HttpHeaders headers) {
		if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
			return true;
		}
		String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
		return length != null && parse(length) != 0;
	}

	private static long parse(@Nullable String length) {
		if (length == null) {
			return UNKNOWN_LENGTH;
		}
		try {
			long parsed = Long.parseLong(length.trim());
			return (parsed >= 0) ? parsed : UNKNOWN_LENGTH;
		}
		catch (NumberFormatException ex) {
			return UNKNOWN_LENGTH;
		}
	}

}
