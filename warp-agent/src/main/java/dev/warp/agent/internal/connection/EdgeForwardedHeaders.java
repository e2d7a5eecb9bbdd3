package dev.warp.agent.internal.connection;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.function.BiFunction;

import dev.warp.core.protocol.TunnelProtocol;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.NetUtil;
import reactor.netty.http.server.ConnectionInfo;

/**
 * Puts the visitor, not the edge, on every tunneled request: the remote address from
 * {@code Warp-Connecting-IP} and the scheme from {@code X-Forwarded-Proto}. The headers are
 * trusted because the edge, an authenticated peer, sets them and strips visitors' copies.
 */
final class EdgeForwardedHeaders implements BiFunction<ConnectionInfo, HttpRequest, ConnectionInfo> {

	static final EdgeForwardedHeaders INSTANCE = new EdgeForwardedHeaders();

	@Override
	public ConnectionInfo apply(ConnectionInfo info, HttpRequest request) {
		HttpHeaders headers = request.headers();
		ConnectionInfo result = info;
		String ip = headers.get(TunnelProtocol.CONNECTING_IP_HEADER);
		if (ip != null) {
			InetAddress address = literalAddress(ip.trim());
			if (address != null) {
				result = result.withRemoteAddress(new InetSocketAddress(address, 0));
			}
		}
		String proto = headers.get(TunnelProtocol.X_FORWARDED_PROTO);
		if ("http".equalsIgnoreCase(proto) || "https".equalsIgnoreCase(proto)) {
			result = result.withScheme(proto.toLowerCase(java.util.Locale.ROOT));
		}
		return result;
	}

	/** Parses an IP literal without ever resolving a name. */
	private static InetAddress literalAddress(String ip) {
		byte[] bytes = NetUtil.createByteArrayFromIpAddressString(ip);
		if (bytes == null) {
			return null;
		}
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			return null;
		}
	}

}
