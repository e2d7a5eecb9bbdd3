package dev.warp.edge.visitor;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.Http2Headers;
import reactor.netty.http.server.HttpServerRequest;

/**
 * What makes a visitor's request a WebSocket handshake, and how it goes down the tunnel: as an
 * RFC 8441 extended CONNECT ({@code :method CONNECT}, {@code :protocol websocket}), since an
 * HTTP/1.1 {@code Upgrade} cannot cross HTTP/2.
 */
public final class WebSocketUpgrade {

	/** The {@code :protocol} pseudo-header of an extended CONNECT (RFC 8441 4). */
	private static final String PROTOCOL = Http2Headers.PseudoHeaderName.PROTOCOL.value().toString();

	private WebSocketUpgrade() {
	}

	/**
	 * Whether the visitor asks for a WebSocket: an HTTP/1.1 {@code GET} with {@code Upgrade:
	 * websocket} and {@code Connection: upgrade}, or an HTTP/2 extended CONNECT (Reactor Netty
	 * turns its {@code :protocol} into the CONNECT request a WebSocket version comes with).
	 */
	static boolean isRequested(HttpServerRequest request) {
		HttpHeaders headers = request.requestHeaders();
		if (HttpMethod.GET.equals(request.method())) {
			return headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
					&& headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
		}
		return HttpMethod.CONNECT.equals(request.method()) && headers.contains(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
	}

	/**
	 * Turns the tunnel headers of the visitor's handshake into an extended CONNECT. The key (and
	 * the accept it would get) belong to HTTP/1.1 only; {@code Sec-WebSocket-Extensions} is
	 * dropped because the edge relays frames, not bytes, and negotiates no extension with the
	 * visitor either: permessage-deflate is off on both legs, consistently.
	 */
	static Http2Headers toExtendedConnect(Http2Headers headers) {
		headers.method(HttpMethod.CONNECT.asciiName());
		headers.set(PROTOCOL, HttpHeaderValues.WEBSOCKET);
		headers.remove(HttpHeaderNames.SEC_WEBSOCKET_KEY);
		headers.remove(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
		// The handshake's own length (clients send 0) would limit the frames that follow on the stream.
		headers.remove(HttpHeaderNames.CONTENT_LENGTH);
		return headers;
	}

}
