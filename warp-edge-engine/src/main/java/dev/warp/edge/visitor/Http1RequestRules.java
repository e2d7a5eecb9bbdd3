package dev.warp.edge.visitor;

import java.nio.charset.StandardCharsets;

import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.exchange.RayIds;
import dev.warp.edge.exchange.RequestBodies;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.jspecify.annotations.Nullable;

/**
 * Which HTTP/1.1 and HTTP/1.0 requests {@link Http1Forwarder} takes, and the answers it writes
 * itself before any exchange: a refused head, the {@code 100 Continue} a body waits for.
 *
 * <p>It takes a request when it is HTTP/1.1 or HTTP/1.0 with no body, one of a declared length
 * the node forwards, or (HTTP/1.1) a chunked one (counted against the limit as it comes: past it,
 * {@code 413} and the connection closes), no {@code Upgrade}, no {@code Expect} other than
 * {@code 100-continue} (none on HTTP/1.0), and a valid {@code Host}. Everything else (WebSockets,
 * h2c upgrades, errors of the request itself) passes on to {@link TunnelProxy} unchanged.
 */
final class Http1RequestRules {

	/** The interim response that {@code Expect: 100-continue} waits for. */
	private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	private Http1RequestRules() {
	}

	/** The hostname of a request the forwarder can take, or {@code null} to pass it on. */
	static @Nullable String takenHostname(HttpRequest request, ExchangeSettings settings) {
		HttpHeaders headers = request.headers();
		HttpVersion version = request.protocolVersion();
		if (!request.decoderResult().isSuccess() || (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0)
				|| request.method() == HttpMethod.CONNECT || headers.contains(HttpHeaderNames.UPGRADE)) {
			return null;
		}
		if (version == HttpVersion.HTTP_1_0
				&& (headers.contains(HttpHeaderNames.TRANSFER_ENCODING) || headers.contains(HttpHeaderNames.EXPECT))) {
			// Neither is HTTP/1.0's (VisitorRequestHead refuses the first): TunnelProxy decides.
			return null;
		}
		if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
				&& (headers.contains(HttpHeaderNames.CONTENT_LENGTH) || !HttpUtil.isTransferEncodingChunked(request))) {
			// A chunked body is counted against the limit as it comes; anything else about its
			// framing is TunnelProxy's.
			return null;
		}
		if (headers.contains(HttpHeaderNames.EXPECT) && !HttpUtil.is100ContinueExpected(request)) {
			// Reactor Netty answers an expectation it cannot meet with 417.
			return null;
		}
		if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
			long declaredLength = RequestBodies.declaredLength(headers);
			if (!settings.takesPacedBody(declaredLength)) {
				return null;
			}
		}
		return TunnelProtocol.routingHostname(headers.get(HttpHeaderNames.HOST));
	}

	/** Answers a request that breaks RFC 9112 ({@link VisitorRequestHead}) and closes the connection. */
	static void refuse(ChannelHandlerContext ctx, VisitorRequestHead.Refusal refusal, String nodeId) {
		FullHttpResponse response = EdgeErrors.response(ctx.alloc(), refusal.status(), refusal.cause(), RayIds.next(nodeId));
		response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
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
