package dev.warp.edge.visitor;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.util.AsciiString;

import dev.warp.edge.exchange.RequestBodies;

/**
 * The cleartext HTTP/1.1 {@code Upgrade: h2c} (RFC 7540 3.2) of a visitor's connection to
 * HTTP/2. Only a request without a body is upgraded: any other request, a WebSocket handshake
 * among them, passes on as it came, never aggregated here, and an {@code h2c} request with a body
 * is served over HTTP/1.1, as a server may (RFC 9110 7.8). After the upgrade the
 * {@link Http1Forwarder} behind this handler sees the first HTTP/2 frame and hands the connection
 * to an {@link Http2Forwarder}, as with prior knowledge.
 */
final class H2cUpgrade extends HttpServerUpgradeHandler {

	H2cUpgrade(HttpServerCodec codec, Http2FrameCodec http2) {
		super(codec, (protocol) -> AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
				? new Http2ServerUpgradeCodec(http2) : null, 0);
	}

	@Override
	protected boolean shouldHandleUpgradeRequest(HttpRequest request) {
		return request.headers().containsValue(HttpHeaderNames.UPGRADE, Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, true)
				&& !RequestBodies.hasBody(request.headers());
	}

}
