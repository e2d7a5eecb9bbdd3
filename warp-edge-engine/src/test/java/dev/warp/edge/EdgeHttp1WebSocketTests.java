package dev.warp.edge;

import java.io.ByteArrayOutputStream;
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
 * WebSocket handshakes of HTTP/1.1 visitors that do not open a WebSocket: the connection they
 * came on serves on.
 */
class EdgeHttp1WebSocketTests {

	private static final String HOST = "chat.example.test";

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private TestAgent agent;

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).build());
	}

	@AfterEach
	void stop() {
		if (this.agent != null) {
			this.agent.close();
		}
		this.edge.close();
	}

	@Test
	void connectionOfAHandshakeTheApplicationRefusedServesTheNextRequest() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		try (Socket socket = visitor()) {
			send(socket, handshake("/refused", ""));
			String refusal = response(socket.getInputStream());
			assertThat(refusal).startsWith("HTTP/1.1 403").endsWith("refused").doesNotContainIgnoringCase("connection: close");
			send(socket, "GET /hello HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
			assertThat(response(socket.getInputStream())).startsWith("HTTP/1.1 200").endsWith("hello");
		}
	}

	@Test
	void connectionOfAHandshakeAnsweredWith502ServesTheNextRequest() throws Exception {
		// A bare HTTP/2 agent: it does not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL.
		this.agent = TestAgent.connectRouted(this.edge, HOST);
		try (Socket socket = visitor()) {
			send(socket, handshake("/chat", ""));
			assertThat(response(socket.getInputStream())).startsWith("HTTP/1.1 502");
			send(socket, "GET /hello HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
			assertThat(response(socket.getInputStream())).startsWith("HTTP/1.1 200").endsWith("hello");
		}
	}

	@Test
	void refusedHandshakeThatAskedToCloseClosesTheConnection() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		String answer = Visitor.raw(this.edge, handshake("/refused", "Connection: close, Upgrade\r\n")
				.replace("Connection: Upgrade\r\n", ""));
		assertThat(answer).startsWith("HTTP/1.1 403").containsIgnoringCase("connection: close").endsWith("refused");
	}

	private Socket visitor() throws IOException {
		Socket socket = new Socket("127.0.0.1", this.edge.publicPort());
		socket.setSoTimeout((int) Visitor.TIMEOUT.toMillis());
		return socket;
	}

	private static String handshake(String path, String extraHeaders) {
		return "GET " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
	}

	private static void send(Socket socket, String request) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(request.getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	/** One response with a Content-Length, read byte by byte so that nothing of the next is taken. */
	private static String response(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
			int b = in.read();
			assertThat(b).as("the response continues: " + head.toString(StandardCharsets.ISO_8859_1)).isNotNegative();
			head.write(b);
		}
		String text = head.toString(StandardCharsets.ISO_8859_1);
		int length = text.lines()
			.filter((line) -> line.toLowerCase().startsWith("content-length:"))
			.mapToInt((line) -> Integer.parseInt(line.substring(15).trim()))
			.findFirst()
			.orElseThrow();
		return text + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
	}

}
