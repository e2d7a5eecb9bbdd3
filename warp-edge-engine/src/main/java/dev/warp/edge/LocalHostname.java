package dev.warp.edge;

import java.net.InetAddress;

import org.jspecify.annotations.Nullable;

/** The machine's hostname, which default certificate names and the advertised peer host use. */
final class LocalHostname {

	private LocalHostname() {
	}

	static @Nullable String get() {
		try {
			String hostname = InetAddress.getLocalHost().getHostName();
			return (hostname == null || hostname.isBlank()) ? null : hostname;
		}
		catch (Exception ex) {
			// A machine without a resolvable name still serves loopback agents.
			return null;
		}
	}

}
