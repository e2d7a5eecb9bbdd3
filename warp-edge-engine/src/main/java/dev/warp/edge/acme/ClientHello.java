package dev.warp.edge.acme;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * What the edge reads of a TLS ClientHello before it picks a certificate: the server name (SNI,
 * RFC 6066) and the application protocols offered (ALPN, RFC 7301). Netty's own SNI parsing
 * gives no access to ALPN.
 * @param serverName the host name asked for, or {@code null}
 * @param protocols the ALPN protocols offered, in the client's order
 */
record ClientHello(@Nullable String serverName, List<String> protocols) {

	private static final int SERVER_NAME = 0;

	private static final int ALPN = 16;

	static final ClientHello EMPTY = new ClientHello(null, List.of());

	/**
	 * Reads the extensions of a ClientHello message body (from {@code client_version} on, as
	 * Netty's {@code SslClientHelloHandler} hands it over); what cannot be read counts as absent.
	 */
	static ClientHello parse(@Nullable ByteBuf hello) {
		if (hello == null) {
			return EMPTY;
		}
		try {
			int at = hello.readerIndex() + 34;
			int end = hello.writerIndex();
			at += 1 + hello.getUnsignedByte(at);
			at += 2 + hello.getUnsignedShort(at);
			at += 1 + hello.getUnsignedByte(at);
			if (at + 2 > end) {
				return EMPTY;
			}
			int extensionsEnd = Math.min(end, at + 2 + hello.getUnsignedShort(at));
			at += 2;
			String serverName = null;
			List<String> protocols = List.of();
			while (at + 4 <= extensionsEnd) {
				int type = hello.getUnsignedShort(at);
				int length = hello.getUnsignedShort(at + 2);
				int data = at + 4;
				if (data + length > extensionsEnd) {
					break;
				}
				if (type == SERVER_NAME) {
					serverName = serverName(hello, data, data + length);
				}
				else if (type == ALPN) {
					protocols = protocols(hello, data, data + length);
				}
				at = data + length;
			}
			return new ClientHello(serverName, protocols);
		}
		catch (IndexOutOfBoundsException ex) {
			return EMPTY;
		}
	}

	/** The first {@code host_name} of a server_name list. */
	private static @Nullable String serverName(ByteBuf hello, int at, int end) {
		at += 2;
		while (at + 3 <= end) {
			int type = hello.getUnsignedByte(at);
			int length = hello.getUnsignedShort(at + 1);
			if (type == 0 && at + 3 + length <= end) {
				return hello.toString(at + 3, length, StandardCharsets.US_ASCII);
			}
			at += 3 + length;
		}
		return null;
	}

	private static List<String> protocols(ByteBuf hello, int at, int end) {
		List<String> protocols = new ArrayList<>();
		at += 2;
		while (at + 1 <= end) {
			int length = hello.getUnsignedByte(at);
			if (at + 1 + length > end) {
				break;
			}
			protocols.add(hello.toString(at + 1, length, StandardCharsets.US_ASCII));
			at += 1 + length;
		}
		return List.copyOf(protocols);
	}

	/** Whether this is an ACME TLS-ALPN-01 validation: ALPN offers only {@code acme-tls/1}. */
	boolean isAcmeValidation() {
		return this.protocols.size() == 1 && AcmeTlsChallenges.ACME_TLS_1.equals(this.protocols.get(0));
	}

}
