package dev.warp.edge.visitor;

import java.nio.charset.StandardCharsets;

import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.RayIds;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The answers {@link Http1Forwarder} writes itself before any exchange: a refused head, the
 * {@code 100 Continue} a body waits for.
 *
 * <p>A WebSocket handshake goes to {@link WebSocketVisitor}; an {@code Upgrade} to anything else,
 * an {@code h2c} upgrade with a body among them ({@link H2cUpgrade} takes those without), is
 * ignored (RFC 9110 7.8). Some requests are answered from their head alone ({@link EarlyAnswers});
 * a body declared longer than the node forwards is {@code 413}, one that grows past it as it
 * comes (chunked) too, once it does.
 */
final class Http1RequestRules {

	/** The interim response that {@code Expect: 100-continue} waits for. */
	private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	private Http1RequestRules() {
	}

	/** Answers a request that breaks RFC 9112 ({@link VisitorRequestHead}) and closes the connection. */
	static void refuse(ChannelHandlerContext ctx, VisitorRequestHead.Refusal refusal, String nodeId) {
		FullHttpResponse response = EdgeErrors.response(ctx.alloc(), refusal.status(), refusal.cause(), RayIds.next(nodeId));
		response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		// What the visitor still sends (a body whose framing the edge cannot trust) is read and
		// dropped, so that the kernel's reset does not destroy the answer.
		LingeringClose.after(ctx.writeAndFlush(response));
	}

	/**
	 * Writes the {@code 100 Continue} that a visitor waits for before it sends its body. As
	 * bytes, past the codec's encoder: that one takes every response it encodes for the answer to
	 * the next request in line, so a {@code 100} through it would shift which request each later
	 * response answers (and a {@code HEAD} in line would take the body of the real answer).
	 * @return {@code false}, with nothing written, without an HTTP codec in the pipeline
	 */
	static boolean writeContinue(ChannelHandlerContext ctx, ChannelPromise promise) {
		ChannelHandlerContext codec = ctx.pipeline().context(HttpServerCodec.class);
		if (codec == null) {
			return false;
		}
		codec.write(Unpooled.wrappedBuffer(CONTINUE), promise);
		return true;
	}

}
