package dev.warp.edge.limit;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The client a connection comes from, as the edge's per-client limits count it: an IPv4 address
 * as it is, an IPv6 address by its {@code /64} prefix (one subscriber usually holds a whole
 * {@code /64} and can use a new address for every connection).
 */
public final class ClientAddress {

	/** Every connection that has no IP address (a Unix domain socket): one client. */
	private static final Object LOCAL = new Object();

	private static final int IPV6_PREFIX_BYTES = 8;

	private ClientAddress() {
	}

	/** The key of the client at {@code remote}, for maps of limits. */
	public static Object of(SocketAddress remote) {
		if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
			return LOCAL;
		}
		InetAddress address = inet.getAddress();
		if (!(address instanceof Inet6Address)) {
			return address;
		}
		byte[] bytes = address.getAddress();
		Arrays.fill(bytes, IPV6_PREFIX_BYTES, bytes.length, (byte) 0);
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
