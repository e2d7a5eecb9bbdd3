package dev.warp.edge.visitor;

import java.io.IOException;

import javax.net.ssl.SSLException;

import dev.warp.edge.log.LogText;
import dev.warp.edge.log.RepeatedWarning;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a visitor connection's failures cost the log. A visitor's own protocol errors (a failed TLS
 * handshake, bytes that are not HTTP, an HTTP/2 connection error such as a CONTINUATION flood)
 * close its connection and are reported through a {@link RepeatedWarning} of their kind, without
 * a stack trace; a connection reset is not reported at all. Anything else is the edge's own
 * failure and is logged with its stack trace.
 *
 * <p>One per connection, in two places: right after the TLS handler, where it takes the handshake's
 * failures before Netty's protocol negotiation logs each with its stack trace ({@link #afterTls}),
 * and at the end of the pipeline, where HTTP/2 connection errors arrive that no handler took
 * ({@link #atTheEnd}).
 */
public final class VisitorErrors extends ChannelInboundHandlerAdapter {

	static final String TLS_NAME = "warp.visitorTlsErrors";

	static final String NAME = "warp.visitorErrors";

	private static final Logger logger = LoggerFactory.getLogger(VisitorErrors.class);

	private final Reports reports;

	private final boolean tlsOnly;

	/** Whether this connection's failure was reported: one report per connection. */
	private boolean reported;

	private VisitorErrors(Reports reports, boolean tlsOnly) {
		this.reports = reports;
		this.tlsOnly = tlsOnly;
	}

	/** The handler right after the TLS handler: takes TLS failures only, passes the rest on. */
	static VisitorErrors afterTls(Reports reports) {
		return new VisitorErrors(reports, true);
	}

	/** The handler at the end of the pipeline: takes every failure that reaches it. */
	static VisitorErrors atTheEnd(Reports reports) {
		return new VisitorErrors(reports, false);
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
		if (evt instanceof SslHandshakeCompletionEvent completion && !completion.isSuccess()) {
			report(ctx, this.reports.handshakes(), completion.cause());
			ctx.close();
			return;
		}
		ctx.fireUserEventTriggered(evt);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (find(cause, SSLException.class) != null) {
			report(ctx, this.reports.handshakes(), cause);
			ctx.close();
		}
		else if (this.tlsOnly) {
			ctx.fireExceptionCaught(cause);
		}
		else if (find(cause, Http2Exception.class) != null) {
			// The HTTP/2 codec answered it already (RST_STREAM, or GOAWAY and a close once it is out).
			report(ctx, this.reports.protocolErrors(), cause);
		}
		else if (find(cause, DecoderException.class) != null) {
			report(ctx, this.reports.protocolErrors(), cause);
			ctx.close();
		}
		else if (cause instanceof IOException) {
			// Reset or closed by the visitor: its own business.
			logger.debug("Visitor connection {} failed: {}", ctx.channel(), LogText.escape(cause.getMessage()));
			ctx.close();
		}
		else {
			logger.warn("Visitor connection {} failed; closing it", ctx.channel(), cause);
			ctx.close();
		}
	}

	private void report(ChannelHandlerContext ctx, RepeatedWarning warning, Throwable cause) {
		if (this.reported) {
			return;
		}
		this.reported = true;
		Throwable reason = (cause instanceof DecoderException && cause.getCause() != null) ? cause.getCause() : cause;
		warning.occurred(ctx.channel().remoteAddress() + ": " + reason.getClass().getSimpleName() + ": "
				+ reason.getMessage());
	}

	private static <T extends Throwable> @Nullable T find(Throwable cause, Class<T> type) {
		for (Throwable current = cause; current != null; current = current.getCause()) {
			if (type.isInstance(current)) {
				return type.cast(current);
			}
		}
		return null;
	}

	/** The warnings of one listener: each kind reported at most once a minute, with a count. */
	record Reports(RepeatedWarning handshakes, RepeatedWarning protocolErrors) {

		static Reports of(String listener) {
			return new Reports(new RepeatedWarning(logger, "TLS handshake(s) with visitors failed on the " + listener),
					new RepeatedWarning(logger, "visitor connection(s) closed on the " + listener
							+ " for a protocol error (not HTTP, or an HTTP/2 connection error)"));
		}

	}

}
