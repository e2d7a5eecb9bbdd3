package dev.warp.edge.visitor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.HttpServerRequest;

/**
 * What makes a visitor's request a WebSocket handshake, and how it goes down the tunnel: as an
 * RFC 8441 extended CONNECT ({@code :method CONNECT}, {@code :protocol websocket}), since an
 * HTTP/1.1 {@code Upgrade} cannot cross HTTP/2.
 */
public final class WebSocketUpgrade {

	/** The {@code :protocol} pseudo-header of an extended CONNECT (RFC 8441 4). */
	private static final String PROTOCOL = Http2Headers.PseudoHeaderName.PROTOCOL.value().toString();

	/** What the key of an opening handshake is hashed with (RFC 6455 4.2.2). */
	private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

	private WebSocketUpgrade() {
	}

	/**
	 * Whether an HTTP/1.1 visitor's request is an opening handshake the edge completes itself
	 * ({@link WebSocketVisitor}): a {@code GET} with {@code Upgrade: websocket}, {@code Connection:
	 * upgrade}, a key, version 13 and no body. Another version gets Reactor Netty's answer.
	 */
	static boolean isHandshake(HttpRequest request) {
		HttpHeaders headers = request.headers();
		return request.decoderResult().isSuccess() && request.protocolVersion() == HttpVersion.HTTP_1_1
				&& HttpMethod.GET.equals(request.method())
				&& headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
				&& headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
				&& "13".equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))
				&& headers.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)
				&& !headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
				&& headers.getInt(HttpHeaderNames.CONTENT_LENGTH, 0) == 0;
	}

	/** The {@code Sec-WebSocket-Accept} that answers {@code key} (RFC 6455 4.2.2). */
	static String accept(String key) {
		try {
			byte[] sha1 = MessageDigest.getInstance("SHA-1")
				.digest((key.trim() + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
			return Base64.getEncoder().encodeToString(sha1);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is part of every Java platform", ex);
		}
	}

	/**
	 * The subprotocol the visitor gets: the one the application chose, if the visitor asked for
	 * it (as Netty's handshaker selects it), otherwise none.
	 * @param requested the visitor's {@code Sec-WebSocket-Protocol}: a comma-separated list
	 */
	static @Nullable String subprotocol(@Nullable String requested, @Nullable CharSequence chosen) {
		if (requested == null || chosen == null) {
			return null;
		}
		for (String protocol : requested.split(",")) {
			if (protocol.trim().equals(chosen.toString())) {
				return protocol.trim();
			}
		}
		return null;
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
