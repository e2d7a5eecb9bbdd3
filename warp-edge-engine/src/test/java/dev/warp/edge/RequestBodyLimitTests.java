package dev.warp.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A body past {@code edge.proxy.max-request-body} on an HTTP/1.1 visitor connection: the edge
 * answers {@code 413} before the body ended, and the visitor, still sending, reads that answer
 * rather than a reset connection.
 */
class RequestBodyLimitTests {

	private static final String HOST = "shop.example.test";

	private static final int LIMIT = 64 * 1024;

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private TestAgent agent;

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).maxRequestBody(LIMIT).build());
		this.agent = TestAgent.connectRouted(this.edge, HOST);
	}

	@AfterEach
	void stop() {
		this.agent.close();
		this.edge.close();
	}

	@Test
	void visitorStillSendingAChunkedBodyPastTheLimitReadsThe413AndTheConnectionEnds() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.edge.publicPort())) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST /length HTTP/1.1\r\nHost: " + HOST + "\r\nTransfer-Encoding: chunked\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			byte[] chunk = ("4000\r\n" + "x".repeat(16384) + "\r\n").getBytes(StandardCharsets.US_ASCII);
			Thread sender = new Thread(() -> {
				try {
					// 64 times the limit: still sending long after the edge answered.
					for (int i = 0; i < 256; i++) {
						out.write(chunk);
					}
				}
				catch (IOException ex) {
					// The edge closed the connection: what it answered is what counts.
				}
			});
			sender.start();
			String response = readUntilClosed(socket.getInputStream());
			assertThat(response).startsWith("HTTP/1.1 413").contains("connection: close");
			sender.join(10_000);
		}
	}

	private static String readUntilClosed(InputStream in) throws IOException {
		StringBuilder read = new StringBuilder();
		byte[] buffer = new byte[8192];
		int n;
		while ((n = in.read(buffer)) != -1) {
			read.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
		}
		return read.toString();
	}

}
