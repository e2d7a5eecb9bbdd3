package dev.warp.edge.visitor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;

import dev.warp.edge.exchange.FailedRequests;
import dev.warp.edge.exchange.RequestBodies;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Headers;
import org.jspecify.annotations.Nullable;

/**
 * What makes a visitor's request a WebSocket handshake, and how it goes down the tunnel: as an
 * RFC 8441 extended CONNECT ({@code :method CONNECT}, {@code :protocol websocket}), since an
 * HTTP/1.1 {@code Upgrade} cannot cross HTTP/2.
 */
public final class WebSocketUpgrade {

	/** The {@code :protocol} pseudo-header of an extended CONNECT (RFC 8441 4). */
	private static final String PROTOCOL = Http2Headers.PseudoHeaderName.PROTOCOL.value().toString();

	/**
	 * The WebSocket version the edge offers (RFC 6455 4.4), sent in {@code Sec-WebSocket-Version}
	 * with a {@code 426}, and the one it speaks to the application.
	 */
	static final String VERSION = "13";

	private static final Set<String> VERSIONS = Set.of(VERSION, "8", "7");

	/** What the key of an opening handshake is hashed with (RFC 6455 4.2.2). */
	private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

	private WebSocketUpgrade() {
	}

	/**
	 * Whether an HTTP/1.x visitor's request asks for a WebSocket: a {@code GET} with {@code Upgrade:
	 * websocket} and {@code Connection: upgrade}. {@link WebSocketVisitor} answers every such
	 * request: with the WebSocket, or with the edge's refusal ({@link #refusal(HttpRequest)}).
	 */
	static boolean isRequested(HttpRequest request) {
		HttpHeaders headers = request.headers();
		return request.decoderResult().isSuccess() && HttpMethod.GET.equals(request.method())
				&& headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
				&& headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
	}

	/**
	 * Why the edge answers an HTTP/1.x handshake itself (RFC 6455 4.2.1), or {@code null} for one
	 * that goes to the application: {@code 426} for a version it does not speak, {@code 400} for
	 * a missing or malformed key, or a request body (a handshake has none; the connection closes),
	 * and what the head of any request decides ({@link EarlyAnswers}: no host, an expectation).
	 * @param hostname the hostname its {@code Host} routes to, or {@code null}
	 */
	static FailedRequests.@Nullable Answer refusal(HttpRequest request, @Nullable String hostname) {
		HttpHeaders headers = request.headers();
		FailedRequests.Answer version = versionRefusal(headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION));
		if (version != null) {
			return version;
		}
		if (!isKey(headers.get(HttpHeaderNames.SEC_WEBSOCKET_KEY))) {
			return new FailedRequests.Answer(HttpResponseStatus.BAD_REQUEST,
					"Invalid WebSocket handshake: Sec-WebSocket-Key is missing or not 16 bytes in base64");
		}
		if (RequestBodies.hasBody(headers)) {
			return new FailedRequests.Answer(HttpResponseStatus.BAD_REQUEST,
					"Invalid WebSocket handshake: it has a request body");
		}
		return EarlyAnswers.of(request, hostname);
	}

	/**
	 * Why the edge answers an HTTP/2 visitor's extended CONNECT itself, or {@code null} for a
	 * WebSocket handshake that goes to the application: {@code 400} for another protocol than
	 * {@code websocket} or no {@code :path}, {@code 426} for a version the edge does not speak, and
	 * what the head of any request decides ({@link EarlyAnswers}: no authority, a {@code host}
	 * that disagrees with it).
	 * @param hostname the hostname its authority routes to, or {@code null}
	 */
	static FailedRequests.@Nullable Answer refusal(Http2Headers headers, @Nullable String hostname) {
		CharSequence protocol = headers.get(PROTOCOL);
		if (protocol == null || !HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(protocol)) {
			return new FailedRequests.Answer(HttpResponseStatus.BAD_REQUEST,
					"Unsupported protocol in an extended CONNECT: only websocket");
		}
		CharSequence version = headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
		FailedRequests.Answer refusal = versionRefusal((version != null) ? version.toString() : null);
		if (refusal != null) {
			return refusal;
		}
		if (headers.path() == null) {
			return new FailedRequests.Answer(HttpResponseStatus.BAD_REQUEST, "Invalid extended CONNECT: no :path");
		}
		return EarlyAnswers.of(headers, false, hostname);
	}

	/**
	 * {@code 426} unless the edge speaks {@code version} (RFC 6455 4.4): 13, and the drafts 8 and 7
	 * of the same framing, which Reactor Netty opened before the edge completed handshakes itself.
	 */
	private static FailedRequests.@Nullable Answer versionRefusal(@Nullable String version) {
		if (version != null && VERSIONS.contains(version.trim())) {
			return null;
		}
		return new FailedRequests.Answer(HttpResponseStatus.UPGRADE_REQUIRED, ((version == null)
				? "No Sec-WebSocket-Version in the WebSocket handshake" : "Unsupported WebSocket version")
				+ ": this edge speaks " + VERSION);
	}

	/** Whether {@code key} is a handshake's key: 16 bytes in base64 (RFC 6455 4.1). */
	static boolean isKey(@Nullable String key) {
		if (key == null) {
			return false;
		}
		try {
			return Base64.getDecoder().decode(key.trim()).length == 16;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
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
		// The edge is the application's WebSocket client: its version, whichever the visitor's.
		headers.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, VERSION);
		// The handshake's own length (clients send 0) would limit the frames that follow on the stream.
		headers.remove(HttpHeaderNames.CONTENT_LENGTH);
		return headers;
	}

}
