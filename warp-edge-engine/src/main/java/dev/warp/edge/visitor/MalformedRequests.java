package dev.warp.edge.visitor;

import dev.warp.edge.log.LogText;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers an HTTP/1.1 request the decoder could not read as Reactor Netty would ({@code 414} for
 * a request line too long, {@code 431} for headers too large, {@code 400} otherwise, then close),
 * but without its warning per request, which printed what the visitor sent, line breaks
 * included: a scanner's garbage is not worth a log line.
 */
public final class MalformedRequests {

	private static final Logger logger = LoggerFactory.getLogger(MalformedRequests.class);

	private MalformedRequests() {
	}

	/** Whether the decoder failed to read this request. */
	static boolean isMalformed(Object msg) {
		return msg instanceof HttpRequest request && request.decoderResult().isFailure();
	}

	/** Answers a malformed request, releases it and closes the connection. */
	static void answer(ChannelHandlerContext ctx, HttpRequest request) {
		Throwable cause = request.decoderResult().cause();
		ReferenceCountUtil.release(request);
		HttpResponseStatus status = (cause instanceof TooLongHttpLineException) ? HttpResponseStatus.REQUEST_URI_TOO_LONG
				: (cause instanceof TooLongHttpHeaderException) ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
						: HttpResponseStatus.BAD_REQUEST;
		logger.debug("Visitor {} sent a malformed request ({}): {}", ctx.channel().remoteAddress(), status.code(),
				LogText.escape(String.valueOf(cause)));
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
		response.headers()
			.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO)
			.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
	}

}
