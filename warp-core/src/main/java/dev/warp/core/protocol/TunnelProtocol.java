package dev.warp.core.protocol;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * The wire contract of a tunnel connection, shared by the agent and the edge.
 *
 * <p>The agent dials the edge over TLS 1.3 and negotiates ALPN {@value #ALPN}. On that
 * connection the roles are reversed: the edge is the HTTP/2 <em>client</em> and the agent the
 * HTTP/2 <em>server</em>. Every visitor request becomes one stream opened by the edge.
 *
 * <p>Registration: right after the HTTP/2 preface the edge opens a <em>control stream</em>, a
 * {@code POST} to {@value #CONTROL_PATH} carrying the header {@value #CONTROL_HEADER}. It never
 * ends its request body while the connection lives (edge to agent messages travel on it), and
 * the agent answers {@code 200} with a body that is a sequence of {@link ControlMessage} lines,
 * the first of which is {@code register}. The edge routes the hostname named there to this
 * connection from that moment, and stops when the control stream or the connection ends.
 *
 * <p>The edge removes every request header that starts with {@value #HEADER_PREFIX} from
 * visitors' requests before it adds its own, so a visitor can neither open a control stream nor
 * forge the connecting IP.
 */
public final class TunnelProtocol {

	/** The only application protocol a tunnel connection speaks. */
	public static final String ALPN = "h2";

	/** The TLS version of every tunnel connection. */
	public static final String TLS_PROTOCOL = "TLSv1.3";

	/** Version of this contract, sent by both sides on the control stream. */
	public static final int VERSION = 1;

	/** Path of the control stream the edge opens on every new tunnel connection. */
	public static final String CONTROL_PATH = "/.well-known/warp/control";

	/** Prefix of every header that belongs to Warp; the edge strips it from visitors' requests. */
	public static final String HEADER_PREFIX = "warp-";

	/** Marks the control stream; its value is the contract {@link #VERSION}. */
	public static final String CONTROL_HEADER = "warp-control";

	/** On the control stream: the id of the edge node that accepted the connection. */
	public static final String EDGE_NODE_HEADER = "warp-edge-node";

	/** The visitor's IP address as the edge saw it. */
	public static final String CONNECTING_IP_HEADER = "warp-connecting-ip";

	/** A unique id of one request, added by the edge and returned to the visitor. */
	public static final String RAY_HEADER = "warp-ray";

	/**
	 * Standard forwarding headers the edge adds to every tunneled request, in place of any a
	 * visitor sent: {@code X-Forwarded-For} holds the visitor's address alone.
	 */
	public static final String X_FORWARDED_FOR = "x-forwarded-for";

	public static final String X_FORWARDED_PROTO = "x-forwarded-proto";

	public static final String X_FORWARDED_HOST = "x-forwarded-host";

	/** The port the visitor addressed: the one its {@code Host} names, else the scheme's default. */
	public static final String X_FORWARDED_PORT = "x-forwarded-port";

	private TunnelProtocol() {
	}

	/** Whether a request header name is reserved for Warp (case-insensitive). */
	public static boolean isWarpHeader(CharSequence name) {
		return name.length() >= HEADER_PREFIX.length()
				&& name.subSequence(0, HEADER_PREFIX.length()).toString().toLowerCase(Locale.ROOT).equals(HEADER_PREFIX);
	}

	/**
	 * The hostname a request is for: the {@code Host} header or {@code :authority}, without port
	 * and trailing dot, lower case. Returns {@code null} for a missing or empty value.
	 */
	public static @Nullable String routingHostname(@Nullable CharSequence hostHeader) {
		if (hostHeader == null) {
			return null;
		}
		if (isRoutingHostname(hostHeader)) {
			// The usual Host: nothing to take off; the edge asks this several times per request.
			return hostHeader.toString();
		}
		String host = hostHeader.toString().trim();
		if (host.startsWith("[")) {
			int end = host.indexOf(']');
			host = (end > 0) ? host.substring(0, end + 1) : host;
		}
		else {
			int colon = host.indexOf(':');
			if (colon >= 0) {
				host = host.substring(0, colon);
			}
		}
		if (host.endsWith(".")) {
			host = host.substring(0, host.length() - 1);
		}
		return host.isEmpty() ? null : host.toLowerCase(Locale.ROOT);
	}

	/** Whether a value is a routing hostname already: lower-case letters, digits, dots and dashes, no trailing dot. */
	private static boolean isRoutingHostname(CharSequence value) {
		int length = value.length();
		if (length == 0 || value.charAt(length - 1) == '.') {
			return false;
		}
		for (int i = 0; i < length; i++) {
			char c = value.charAt(i);
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
				return false;
			}
		}
		return true;
	}

}
