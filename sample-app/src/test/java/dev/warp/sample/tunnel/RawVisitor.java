package dev.warp.sample.tunnel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import dev.warp.edge.EdgeNode;

/**
 * A visitor that writes bytes to the edge's public port exactly as given, for what HTTP
 * libraries normalize away: raw request lines, {@code Expect}, hand-made chunks.
 */
final class RawVisitor implements AutoCloseable {

	private final Socket socket;

	RawVisitor(EdgeNode edge) throws IOException {
		this(edge.publicPort());
	}

	/** A visitor of any port on 127.0.0.1, such as the application's own. */
	RawVisitor(int port) throws IOException {
		this.socket = new Socket(InetAddress.getByName("127.0.0.1"), port,
				InetAddress.getByName(TunnelTestSupport.VISITOR_IP), 0);
		this.socket.setSoTimeout(30_000);
	}

	RawVisitor send(String text) throws IOException {
		return send(text.getBytes(StandardCharsets.ISO_8859_1));
	}

	RawVisitor send(byte[] bytes) throws IOException {
		this.socket.getOutputStream().write(bytes);
		this.socket.getOutputStream().flush();
		return this;
	}

	/** Reads until {@code marker} has arrived; returns everything read. */
	String readUntil(String marker) throws IOException {
		InputStream in = this.socket.getInputStream();
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		while (!received.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
			int b = in.read();
			if (b < 0) {
				break;
			}
			received.write(b);
		}
		return received.toString(StandardCharsets.ISO_8859_1);
	}

	/** Reads until the edge closes the connection. */
	byte[] readToEnd() throws IOException {
		return this.socket.getInputStream().readAllBytes();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	/** One request sent on a connection of its own, {@code Connection: close}; the whole response back. */
	static String exchange(EdgeNode edge, String request) throws IOException {
		return exchange(edge.publicPort(), request);
	}

	/** One request sent to a port of 127.0.0.1 on a connection of its own; the whole response back. */
	static String exchange(int port, String request) throws IOException {
		try (RawVisitor visitor = new RawVisitor(port)) {
			return new String(visitor.send(request).readToEnd(), StandardCharsets.ISO_8859_1);
		}
	}

}
