package dev.warp.edge.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import org.jspecify.annotations.Nullable;

/**
 * The status and headers of an agent's response.
 *
 * @param status the status code
 * @param headers the HTTP/2 headers, {@code :status} included
 * @param endOfStream whether the response ended with its headers (no body)
 * @param wholeBody the whole body when it had arrived with the headers, owned by whoever takes
 * the head and sent in one write with it; {@code null} when the body streams
 */
public record ResponseHead(int status, Http2Headers headers, boolean endOfStream, @Nullable ByteBuf wholeBody) {

	public ResponseHead(int status, Http2Headers headers, boolean endOfStream) {
		this(status, headers, endOfStream, null);
	}

	/** This head with the whole body attached. */
	public ResponseHead withWholeBody(ByteBuf body) {
		return new ResponseHead(this.status, this.headers, this.endOfStream, body);
	}

	/** The status code, or {@code -1} when it is not a three-digit number from 100 to 599. */
	public static int parseStatus(@Nullable CharSequence status) {
		if (status == null || status.length() != 3) {
			return -1;
		}
		int code = 0;
		for (int i = 0; i < 3; i++) {
			char c = status.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			code = code * 10 + (c - '0');
		}
		return (code >= 100 && code <= 599) ? code : -1;
	}

}
