package dev.warp.edge.tunnel;

import io.netty.handler.codec.http2.Http2Error;

/**
 * Names of HTTP/2 error codes for messages people read.
 */
public final class StreamErrors {

	private StreamErrors() {
	}

	/** The error code's name ({@code CANCEL}, {@code INTERNAL_ERROR}, ...) or its number when unknown. */
	public static String name(long errorCode) {
		Http2Error error = Http2Error.valueOf(errorCode);
		return (error != null) ? error.name() : "error code " + errorCode;
	}

}
