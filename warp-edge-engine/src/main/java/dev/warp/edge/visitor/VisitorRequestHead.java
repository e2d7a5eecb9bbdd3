package dev.warp.edge.visitor;

import java.util.Iterator;
import java.util.List;

import dev.warp.edge.exchange.ForwardedHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/**
 * What RFC 9112 asks of a visitor's request head before the edge routes it, and what RFC 9113
 * asks of an HTTP/2 visitor's authority: one {@code Host}, and a valid one ({@code 400}
 * otherwise); an absolute-form target's authority in place of {@code Host} (RFC 9112 3.2.2); no
 * transfer coding but {@code chunked}, which is all the edge decodes ({@code 501}, RFC 9112 6.1);
 * an HTTP/2 {@code host} header that agrees with {@code :authority} (RFC 9113 8.3.1).
 */
public final class VisitorRequestHead {

	/** Why a request is refused; the connection closes after the answer. */
	public record Refusal(HttpResponseStatus status, String cause) {
	}

	private VisitorRequestHead() {
	}

	/**
	 * Checks an HTTP/1.x request head, and turns an absolute-form target into an origin-form one
	 * with its authority as the {@code Host} header, so that every later step routes and forwards
	 * by that authority.
	 * @return {@code null} for a request to forward, or why it is refused
	 */
	public static @Nullable Refusal accept(HttpRequest request) {
		HttpHeaders headers = request.headers();
		Refusal refusal = absoluteForm(request);
		if (refusal != null) {
			return refusal;
		}
		Iterator<? extends CharSequence> hosts = headers.valueCharSequenceIterator(HttpHeaderNames.HOST);
		if (hosts.hasNext()) {
			CharSequence host = hosts.next();
			if (hosts.hasNext()) {
				return new Refusal(HttpResponseStatus.BAD_REQUEST, "More than one Host header");
			}
			if (!isValidHost(host)) {
				return new Refusal(HttpResponseStatus.BAD_REQUEST, "Invalid Host header");
			}
		}
		return headers.contains(HttpHeaderNames.TRANSFER_ENCODING) ? transferCoding(request) : null;
	}

	/** RFC 9112 3.2.2: the authority of an absolute-form target replaces the request's {@code Host}. */
	private static @Nullable Refusal absoluteForm(HttpRequest request) {
		String uri = request.uri();
		if (uri.isEmpty() || uri.charAt(0) == '/' || uri.equals("*") || HttpMethod.CONNECT.equals(request.method())) {
			return null;
		}
		int schemeEnd = uri.indexOf("://");
		String scheme = (schemeEnd > 0) ? uri.substring(0, schemeEnd) : "";
		if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
			return new Refusal(HttpResponseStatus.BAD_REQUEST, "Invalid request target");
		}
		int start = schemeEnd + 3;
		int end = start;
		while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?' && uri.charAt(end) != '#') {
			end++;
		}
		String authority = uri.substring(start, end);
		if (!isValidHost(authority)) {
			return new Refusal(HttpResponseStatus.BAD_REQUEST, "Invalid authority in the request target");
		}
		request.setUri(ForwardedHeaders.path(uri));
		request.headers().set(HttpHeaderNames.HOST, authority);
		return null;
	}

	/**
	 * RFC 9112 6.1 and 6.3: {@code chunked}, once and last, is the only transfer coding the edge
	 * decodes; an HTTP/1.0 request with one has a framing it cannot trust.
	 */
	private static @Nullable Refusal transferCoding(HttpRequest request) {
		if (request.protocolVersion() != HttpVersion.HTTP_1_1) {
			return new Refusal(HttpResponseStatus.BAD_REQUEST, "Transfer-Encoding in an HTTP/1.0 request");
		}
		int chunked = 0;
		for (String value : request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING)) {
			for (String coding : value.split(",")) {
				String trimmed = coding.trim();
				if (trimmed.isEmpty()) {
					continue;
				}
				if (!HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(trimmed)) {
					return new Refusal(HttpResponseStatus.NOT_IMPLEMENTED,
							"Transfer codings other than chunked are not implemented");
				}
				chunked++;
			}
		}
		return (chunked == 1) ? null : new Refusal(HttpResponseStatus.BAD_REQUEST, "Invalid Transfer-Encoding");
	}

	/**
	 * Whether an HTTP/2 request's {@code host} headers, if any, name what its {@code :authority}
	 * names (RFC 9113 8.3.1), and the authority it is routed by is valid.
	 */
	public static boolean hostsAgree(Http2Headers headers) {
		CharSequence authority = headers.authority();
		List<CharSequence> hosts = headers.contains(HttpHeaderNames.HOST) ? headers.getAll(HttpHeaderNames.HOST) : List.of();
		return agree(authority, hosts);
	}

	/**
	 * The same for an HTTP/2 request as Reactor Netty hands it over, its {@code :authority} the
	 * first {@code Host} value; an HTTP/1.1 request has one {@code Host} at this point.
	 */
	public static boolean hostsAgree(HttpHeaders headers) {
		List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
		return hosts.isEmpty() || agree(hosts.get(0), hosts.subList(1, hosts.size()));
	}

	private static boolean agree(@Nullable CharSequence authority, List<? extends CharSequence> hosts) {
		CharSequence routed = (authority != null) ? authority : (hosts.isEmpty() ? null : hosts.get(0));
		if (routed == null) {
			return true;
		}
		for (CharSequence host : hosts) {
			if (!AsciiString.contentEqualsIgnoreCase(host.toString().trim(), routed.toString().trim())) {
				return false;
			}
		}
		return isValidHost(routed);
	}

	/**
	 * Whether a {@code Host} value (or authority) is {@code uri-host [ ":" port ]} of RFC 3986,
	 * without userinfo: a name or an IPv4 address of unreserved, percent-encoded and sub-delim
	 * characters, or an IP literal in brackets, and a port of digits.
	 */
	public static boolean isValidHost(CharSequence value) {
		String host = value.toString().trim();
		if (host.isEmpty()) {
			return false;
		}
		int hostEnd;
		if (host.charAt(0) == '[') {
			hostEnd = host.indexOf(']') + 1;
			if (hostEnd <= 2 || !isIpLiteral(host, 1, hostEnd - 1)) {
				return false;
			}
		}
		else {
			int colon = host.indexOf(':');
			hostEnd = (colon >= 0) ? colon : host.length();
			if (hostEnd == 0 || !isRegName(host, 0, hostEnd)) {
				return false;
			}
		}
		if (hostEnd == host.length()) {
			return true;
		}
		return host.charAt(hostEnd) == ':' && port(host, hostEnd + 1) >= -1;
	}

	/**
	 * The port a valid {@code Host} value names, or {@code -1} when it names none (an empty port
	 * counts as none, RFC 3986 3.2.3).
	 */
	public static int port(String host) {
		int bracket = host.lastIndexOf(']');
		int colon = host.lastIndexOf(':');
		return (colon > bracket) ? port(host, colon + 1) : -1;
	}

	/** The port from {@code start} to the end, {@code -1} for none, {@code -2} for one that is not a port. */
	private static int port(String host, int start) {
		int length = host.length() - start;
		if (length == 0) {
			return -1;
		}
		if (length > 5) {
			return -2;
		}
		int port = 0;
		for (int i = start; i < host.length(); i++) {
			char c = host.charAt(i);
			if (c < '0' || c > '9') {
				return -2;
			}
			port = port * 10 + (c - '0');
		}
		return (port <= 65535) ? port : -2;
	}

	private static boolean isRegName(String host, int start, int end) {
		for (int i = start; i < end; i++) {
			char c = host.charAt(i);
			boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
					|| "-._~%!$&'()*+,;=".indexOf(c) >= 0;
			if (!allowed) {
				return false;
			}
		}
		return true;
	}

	private static boolean isIpLiteral(String host, int start, int end) {
		for (int i = start; i < end; i++) {
			char c = host.charAt(i);
			boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':'
					|| c == '.' || c == '%' || c == '-' || c == '_' || c == '~';
			if (!allowed) {
				return false;
			}
		}
		return true;
	}

}
