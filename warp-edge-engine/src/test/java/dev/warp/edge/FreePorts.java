package dev.warp.edge;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for servers a test starts as other processes (redis-server, pebble), which
 * bind them a moment later. Taken below Linux's ephemeral range (32768 and up): a port the kernel
 * chose there was now and then given to another connection's local end in that moment, and the
 * server then failed to start ("address already in use", seen with pebble under a loaded machine).
 */
final class FreePorts {

	private static final int LOWEST = 20000;

	private static final int HIGHEST = 32000;

	private FreePorts() {
	}

	/** A loopback port nothing listens on now, preferably outside the ephemeral range. */
	static int next() throws IOException {
		InetAddress loopback = InetAddress.getLoopbackAddress();
		for (int attempt = 0; attempt < 50; attempt++) {
			int port = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST);
			try (ServerSocket socket = new ServerSocket(port, 1, loopback)) {
				return socket.getLocalPort();
			}
			catch (IOException taken) {
				// Another one.
			}
		}
		try (ServerSocket socket = new ServerSocket(0, 1, loopback)) {
			return socket.getLocalPort();
		}
	}

}
