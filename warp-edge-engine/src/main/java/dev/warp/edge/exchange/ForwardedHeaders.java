package dev.warp.edge.exchange;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.visitor.VisitorRequestHead;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/**
 * Translates headers between a visitor's HTTP/1.1 (or h2c) exchange and a tunnel stream:
 * hop-by-hop headers stay on their hop, and the edge alone says who the visitor is. A visitor's
 * own {@code Forwarded}, {@code X-Forwarded-*}, {@code X-Real-IP} and {@code warp-*} headers are
 * dropped, whatever chain they claim, so that no forwarding strategy of the app (Reactor Netty's,
 * Spring's {@code ForwardedHeaderTransformer}, or none) takes them for the edge's; the edge writes
 * {@code X-Forwarded-For} (the visitor's address only), {@code -Proto}, {@code -Host} and
 * {@code -Port}, {@code Warp-Connecting-IP} and {@code Warp-Ray}. It writes no {@code Forwarded}:
 * with the visitor's dropped, every strategy reads the same values from {@code X-Forwarded-*}.
 */
public final class ForwardedHeaders {

	/** Headers that describe one connection, never forwarded (RFC 9110 7.6.1, RFC 9113 8.2.2). */
	private static final Set<AsciiString> HOP_BY_HOP = Set.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
			HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
			HttpHeaderNames.TE, HttpHeaderNames.HOST, HttpHeaderNames.TRAILER, AsciiString.cached("proxy-authenticate"),
			AsciiString.cached("proxy-authorization"));

	/**
	 * Request headers the edge handles itself or replaces, besides every {@code x-forwarded-*}:
	 * the forwarding headers no visitor may write. The edge answers {@code Expect: 100-continue}
	 * to the visitor as soon as it starts reading the body, which it does at once.
	 */
	private static final Set<AsciiString> REPLACED = Set.of(HttpHeaderNames.EXPECT, AsciiString.cached("forwarded"),
			AsciiString.cached("x-real-ip"));

	/** The prefix of the {@code X-Forwarded-*} headers: the edge writes its own, a visitor's never pass. */
	private static final AsciiString X_FORWARDED_PREFIX = AsciiString.cached("x-forwarded-");

	/** Added by Netty when it turns an h2c request into HTTP/1.1 objects; they describe that hop only. */
	private static final String NETTY_HTTP2_EXTENSION_PREFIX = "x-http2-";

	private ForwardedHeaders() {
	}

	/**
	 * The HTTP/2 request headers of a visitor's request, from its parts.
	 * @param scheme {@code http} or {@code https}: how the visitor reached the edge
	 */
	public static Http2Headers forTunnel(HttpMethod method, String uri, HttpHeaders in, String scheme, String host,
			String visitorIp, String ray) {
		return forTunnel(method.name(), path(uri), in.iteratorCharSequence(), connectionOptions(in), scheme, host,
				visitorIp, ray);
	}

	/**
	 * The HTTP/2 request headers of an HTTP/2 visitor's request (not a {@code CONNECT}: it has a
	 * {@code :method} and a {@code :path}).
	 * @param scheme {@code http} or {@code https}: how the visitor reached the edge
	 * @param host its {@code :authority}, or its {@code Host} without one
	 */
	public static Http2Headers forTunnel(Http2Headers in, String scheme, String host, String visitorIp, String ray) {
		// HTTP/2 has no Connection header (RFC 9113 8.2.2): Netty's codec refuses a request with one.
		return forTunnel(in.method().toString(), in.path().toString(), in.iterator(), Set.of(), scheme, host, visitorIp,
				ray);
	}

	private static Http2Headers forTunnel(String method, String path, Iterator<Map.Entry<CharSequence, CharSequence>> headers,
			Set<AsciiString> connectionOptions, String scheme, String host, String visitorIp, String ray) {
		// Not validated again: every name is a lower-cased copy of one the visitor's codec
		// validated (HTTP/1.1 or HPACK), or one of ours; the second check showed as 1-2 % of the
		// edge's CPU on small GETs.
		Http2Headers out = new DefaultHttp2Headers(false);
		out.method(method);
		out.path(path);
		out.scheme(scheme);
		out.authority(host);
		while (headers.hasNext()) {
			Map.Entry<CharSequence, CharSequence> header = headers.next();
			AsciiString name = AsciiString.of(header.getKey()).toLowerCase();
			if (isForwardable(name, header.getValue(), connectionOptions)) {
				out.add(name, header.getValue());
			}
		}
		// Added, not set: isForwardable kept every visitor header of these names out. The visitor's
		// own X-Forwarded-For chain is not kept: Spring reads its first entry as the client.
		out.add(TunnelProtocol.X_FORWARDED_FOR, visitorIp);
		out.add(TunnelProtocol.X_FORWARDED_PROTO, scheme);
		out.add(TunnelProtocol.X_FORWARDED_HOST, host);
		out.add(TunnelProtocol.X_FORWARDED_PORT, port(host, scheme));
		out.add(TunnelProtocol.CONNECTING_IP_HEADER, visitorIp);
		out.add(TunnelProtocol.RAY_HEADER, ray);
		return out;
	}

	/**
	 * Copies an agent's response headers to the visitor's response: everything but pseudo-headers
	 * and hop-by-hop headers, repeated headers kept in order.
	 */
	public static void toVisitor(Http2Headers in, HttpHeaders out) {
		for (Map.Entry<CharSequence, CharSequence> header : in) {
			AsciiString name = visitorHeaderName(header.getKey());
			if (name != null) {
				out.add(name, header.getValue());
			}
		}
	}

	/**
	 * Copies an agent's response headers (or trailers) to an HTTP/2 visitor's: the same as for
	 * HTTP/1.1 (no header HTTP/2 forbids as connection-specific passes).
	 * @param out headers that validate values, such as {@code new DefaultHttp2Headers(true, true, n)},
	 * so that a value HTTP/2 cannot carry (a line break, RFC 9113 8.2.1) throws
	 * {@link IllegalArgumentException}; {@code out} is then not to be used
	 */
	public static void toVisitor(Http2Headers in, Http2Headers out) {
		for (Map.Entry<CharSequence, CharSequence> header : in) {
			AsciiString name = visitorHeaderName(header.getKey());
			if (name != null) {
				out.add(name, header.getValue());
			}
		}
	}

	/** The lower-case name of an agent's response header the visitor gets, {@code null} for one it does not. */
	private static @Nullable AsciiString visitorHeaderName(CharSequence name) {
		if (name.length() > 0 && name.charAt(0) == ':') {
			return null;
		}
		AsciiString lower = AsciiString.of(name).toLowerCase();
		return (!HOP_BY_HOP.contains(lower) || lower.contentEquals(HttpHeaderNames.TRAILER)) ? lower : null;
	}

	/**
	 * The HTTP/2 request headers of a request a peer edge node forwarded: the node that took it
	 * from the visitor computed the forwarding headers, {@code Warp-Connecting-IP} and
	 * {@code Warp-Ray}, which are kept as they are, and the {@code :scheme} the visitor used. Only
	 * an authenticated node reaches this.
	 * @param in the request's headers on the peer listener (not a {@code CONNECT})
	 * @param host its {@code :authority}: the visitor's {@code Host}
	 */
	public static Http2Headers fromPeer(Http2Headers in, String host) {
		Http2Headers out = new DefaultHttp2Headers(false);
		out.method(in.method());
		out.path(in.path());
		out.scheme((in.scheme() != null) ? in.scheme() : "http");
		out.authority(host);
		for (Map.Entry<CharSequence, CharSequence> header : in) {
			// Lower case already: HTTP/2's codec refuses upper-case names (RFC 9113 8.2.1).
			AsciiString name = AsciiString.of(header.getKey());
			if (isFromPeer(name, header.getValue())) {
				out.add(name, header.getValue());
			}
		}
		return out;
	}

	private static boolean isFromPeer(AsciiString name, CharSequence value) {
		if (name.isEmpty() || name.charAt(0) == ':' || name.startsWith(NETTY_HTTP2_EXTENSION_PREFIX)) {
			return false;
		}
		if (TunnelProtocol.isWarpHeader(name)) {
			// What the first node added for the app; nothing of the control protocol.
			return name.contentEquals(TunnelProtocol.CONNECTING_IP_HEADER) || name.contentEquals(TunnelProtocol.RAY_HEADER);
		}
		if (name.contentEquals(HttpHeaderNames.TE)) {
			return AsciiString.contentEqualsIgnoreCase(value.toString().trim(), "trailers");
		}
		return !HOP_BY_HOP.contains(name);
	}

	/**
	 * The port the visitor addressed: the one its {@code Host} names, else the scheme's default.
	 * Not the listener's own port, which a load balancer or a port mapping may hide from visitors.
	 */
	public static String port(String host, String scheme) {
		int port = VisitorRequestHead.port(host);
		if (port >= 0) {
			return Integer.toString(port);
		}
		return "https".equals(scheme) ? "443" : "80";
	}

	/** The IP address of a visitor's socket address. */
	public static String visitorIp(@Nullable SocketAddress socketAddress) {
		if (!(socketAddress instanceof InetSocketAddress address)) {
			return "unknown";
		}
		return (address.getAddress() != null) ? address.getAddress().getHostAddress() : address.getHostString();
	}

	/**
	 * The {@code :path} of a request target: the target itself, byte for byte; only an
	 * absolute-form target ({@code GET http://host/x}, which proxies may receive) is reduced to its
	 * path and query, which is all {@code :path} may hold.
	 */
	public static String path(String uri) {
		if (uri.startsWith("/") || uri.equals("*")) {
			return uri;
		}
		int scheme = uri.indexOf("://");
		if (scheme > 0) {
			int slash = uri.indexOf('/', scheme + 3);
			int query = uri.indexOf('?', scheme + 3);
			if (slash < 0 || (query >= 0 && query < slash)) {
				return (query >= 0) ? "/" + uri.substring(query) : "/";
			}
			return uri.substring(slash);
		}
		return uri.isEmpty() ? "/" : uri;
	}

	private static boolean isForwardable(AsciiString name, CharSequence value, Set<AsciiString> connectionOptions) {
		if (name.isEmpty() || name.charAt(0) == ':' || TunnelProtocol.isWarpHeader(name)
				|| name.startsWith(NETTY_HTTP2_EXTENSION_PREFIX) || name.startsWith(X_FORWARDED_PREFIX)
				|| REPLACED.contains(name) || connectionOptions.contains(name)) {
			return false;
		}
		if (name.contentEquals(HttpHeaderNames.TE)) {
			// The only TE allowed in HTTP/2 (RFC 9113 8.2.2).
			return AsciiString.contentEqualsIgnoreCase(value.toString().trim(), "trailers");
		}
		return !HOP_BY_HOP.contains(name);
	}

	/** Headers named by the {@code Connection} header are hop-by-hop too (RFC 9110 7.6.1). */
	private static Set<AsciiString> connectionOptions(HttpHeaders headers) {
		List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
		if (values.isEmpty()) {
			return Set.of();
		}
		Set<AsciiString> options = new HashSet<>();
		for (String value : values) {
			for (String option : value.split(",")) {
				String trimmed = option.trim().toLowerCase(Locale.ROOT);
				if (!trimmed.isEmpty()) {
					options.add(AsciiString.cached(trimmed));
				}
			}
		}
		return options;
	}

}
