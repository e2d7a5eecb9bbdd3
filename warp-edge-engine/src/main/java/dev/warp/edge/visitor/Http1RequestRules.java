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
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;

/**
 * Which HTTP/1.1 and HTTP/1.0 requests {@link Http1Forwarder} leaves to Reactor Netty, and the
 * answers it writes itself before any exchange: a refused head, one decided from the head alone,
 * the {@code 100 Continue} a body waits for.
 *
 * <p>It takes every request but an h2c upgrade, which passes on to Reactor Netty unchanged, and a
 * WebSocket handshake, which {@link WebSocketVisitor} takes. Another {@code Upgrade} is ignored
 * (RFC 9110 7.8). Of those it takes, it answers some from their head
 * alone ({@link EarlyAnswers}); a body declared longer than the node forwards is {@code 413},
 * one that grows past it as it comes (chunked) too, once it does.
 */
final class Http1RequestRules {

	/** The interim response that {@code Expect: 100-continue} waits for. */
	private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final AsciiString H2C = AsciiString.cached("h2c");

	private Http1RequestRules() {
	}

	/**
	 * Whether a request passes on to Reactor Netty: an h2c upgrade. (A WebSocket handshake went to
	 * {@link WebSocketVisitor} before; an {@code Upgrade: websocket} that is no handshake, without
	 * {@code Connection: upgrade} or not a {@code GET}, is a plain request.)
	 */
	static boolean passesOn(HttpRequest request) {
		HttpHeaders headers = request.headers();
		return headers.contains(HttpHeaderNames.UPGRADE) && headers.containsValue(HttpHeaderNames.UPGRADE, H2C, true);
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
