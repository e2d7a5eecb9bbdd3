package dev.warp.autoconfigure.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A listening socket on loopback where a test configures the edge: it accepts connections and
 * never answers, so a test can tell whether the tunnel dialled.
 */
final class SilentEdgeAddress implements AutoCloseable {

	private final ServerSocket socket;

	SilentEdgeAddress() {
		try {
			this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** {@code host:port}, as {@code warp.edge.addresses} takes it. */
	String address() {
		return "127.0.0.1:" + this.socket.getLocalPort();
	}

	/** The first connection that arrives within {@code wait}, or {@code null}. */
	@Nullable Socket accept(Duration wait) {
		try {
			this.socket.setSoTimeout((int) wait.toMillis());
			return this.socket.accept();
		}
		catch (SocketTimeoutException ex) {
			return null;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
