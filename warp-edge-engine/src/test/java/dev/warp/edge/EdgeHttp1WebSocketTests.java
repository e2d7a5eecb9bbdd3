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
 * WebSocket handshakes of HTTP/1.1 visitors that do not open a WebSocket: what the edge answers
 * to those it refuses itself (the application never sees them), and the connection they came on,
 * which serves on unless a body came with the handshake.
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
		assertThat(answerThenHello(handshake("/refused", ""))).startsWith("HTTP/1.1 403")
			.endsWith("refused")
			.doesNotContainIgnoringCase("connection: close");
	}

	@Test
	void connectionOfAHandshakeAnsweredWith502ServesTheNextRequest() throws Exception {
		// A bare HTTP/2 agent: it does not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL.
		this.agent = TestAgent.connectRouted(this.edge, HOST);
		assertThat(answerThenHello(handshake("/chat", ""))).startsWith("HTTP/1.1 502");
	}

	@Test
	void handshakeOfAnUnsupportedVersionIsAnswered426NamingVersion13() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		String answer = refusal(handshake("/chat", "").replace("Version: 13", "Version: 14"));
		assertThat(answer).startsWith("HTTP/1.1 426 Upgrade Required")
			.containsIgnoringCase("sec-websocket-version: 13\r\n")
			.containsIgnoringCase("upgrade: websocket\r\n")
			.contains("Unsupported WebSocket version: this edge speaks 13 (Warp-Ray: " + ray(answer) + ")");
	}

	@Test
	void handshakeWithoutAVersionIsAnswered426NamingVersion13() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		String answer = refusal(handshake("/chat", "").replace("Sec-WebSocket-Version: 13\r\n", ""));
		assertThat(answer).startsWith("HTTP/1.1 426 Upgrade Required")
			.containsIgnoringCase("sec-websocket-version: 13\r\n")
			.contains("No Sec-WebSocket-Version in the WebSocket handshake: this edge speaks 13 (Warp-Ray: ");
	}

	@Test
	void handshakeOfDraftVersion8OpensAWebSocketAsBefore() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		try (Socket socket = visitor()) {
			send(socket, handshake("/chat", "").replace("Version: 13", "Version: 8"));
			assertThat(head(socket.getInputStream())).startsWith("HTTP/1.1 101")
				.containsIgnoringCase("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n");
		}
	}

	@Test
	void handshakeWithoutAKeyIsAnswered400() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		String answer = refusal(handshake("/chat", "").replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""));
		assertThat(answer).startsWith("HTTP/1.1 400 Bad Request")
			.contains("Invalid WebSocket handshake: Sec-WebSocket-Key is missing or not 16 bytes in base64 (Warp-Ray: "
					+ ray(answer) + ")");
	}

	@Test
	void handshakeWithAKeyOfOtherThan16BytesIsAnswered400() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		String answer = refusal(handshake("/chat", "").replace("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ="));
		assertThat(answer).startsWith("HTTP/1.1 400 Bad Request")
			.contains("Invalid WebSocket handshake: Sec-WebSocket-Key is missing or not 16 bytes in base64");
	}

	@Test
	void handshakeWithoutAHostIsAnswered400() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		String answer = refusal(handshake("/chat", "").replace("Host: " + HOST + "\r\n", ""));
		assertThat(answer).startsWith("HTTP/1.1 400 Bad Request").contains("Missing Host header (Warp-Ray: ");
	}

	@Test
	void handshakeForAHostnameWithoutATunnelOnThisNodeIsAnswered503() throws Exception {
		String answer = refusal(handshake("/chat", "").replace(HOST, "nobody.example.test"));
		assertThat(answer).startsWith("HTTP/1.1 503 Service Unavailable")
			.contains("No healthy tunnel for hostname nobody.example.test on this edge node (Warp-Ray: " + ray(answer) + ")");
	}

	@Test
	void handshakeWithABodyIsAnswered400AndItsConnectionCloses() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		assertAnsweredWithBodyRefusalAlone(handshake("/chat", "Content-Length: 5\r\n") + "hello");
	}

	@Test
	void handshakeWithAChunkedBodyIsAnswered400AndItsConnectionCloses() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		assertAnsweredWithBodyRefusalAlone(
				handshake("/chat", "Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n0\r\n\r\n");
	}

	@Test
	void connectionOfAHandshakeTheEdgeRefusedServesTheNextRequest() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		assertThat(answerThenHello(handshake("/chat", "").replace("Version: 13", "Version: 14")))
			.startsWith("HTTP/1.1 426")
			.doesNotContainIgnoringCase("connection: close");
	}

	@Test
	void connectionOfAHandshakeWithoutATunnelOnThisNodeServesTheNextRequest() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		assertThat(answerThenHello(handshake("/chat", "").replace(HOST, "nobody.example.test"))).startsWith("HTTP/1.1 503");
	}

	@Test
	void refusedHandshakeThatAskedToCloseClosesTheConnection() throws Exception {
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		String answer = Visitor.raw(this.edge, handshake("/refused", "Connection: close, Upgrade\r\n")
				.replace("Connection: Upgrade\r\n", ""));
		assertThat(answer).startsWith("HTTP/1.1 403").containsIgnoringCase("connection: close").endsWith("refused");
	}

	/**
	 * The answer to a handshake on a connection of its own, after which the connection serves a
	 * {@code GET /hello}.
	 */
	private String answerThenHello(String handshake) throws IOException {
		try (Socket socket = visitor()) {
			send(socket, handshake);
			String answer = response(socket.getInputStream());
			send(socket, "GET /hello HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
			assertThat(response(socket.getInputStream())).startsWith("HTTP/1.1 200").endsWith("hello");
			return answer;
		}
	}

	/**
	 * A handshake with its body, a request pipelined behind: the edge answers {@code 400} and
	 * closes, the request behind unanswered, and the application saw neither.
	 */
	private void assertAnsweredWithBodyRefusalAlone(String handshakeAndBody) throws IOException {
		String answer = Visitor.raw(this.edge, handshakeAndBody + "GET /hello HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 400 Bad Request")
			.containsIgnoringCase("connection: close\r\n")
			.endsWith("Invalid WebSocket handshake: it has a request body (Warp-Ray: " + ray(answer) + ")\n");
		assertThat(this.agent.requests).doesNotContain("/chat", "/hello");
	}

	/** The edge's own answer to a handshake, on a connection of its own: the application never saw it. */
	private String refusal(String request) throws IOException {
		try (Socket socket = visitor()) {
			send(socket, request);
			String answer = response(socket.getInputStream());
			if (this.agent != null) {
				assertThat(this.agent.requests).doesNotContain("/chat");
			}
			return answer;
		}
	}

	private static String ray(String answer) {
		return answer.lines()
			.filter((line) -> line.toLowerCase().startsWith("warp-ray:"))
			.map((line) -> line.substring(9).trim())
			.findFirst()
			.orElseThrow();
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
		String text = head(in);
		int length = text.lines()
			.filter((line) -> line.toLowerCase().startsWith("content-length:"))
			.mapToInt((line) -> Integer.parseInt(line.substring(15).trim()))
			.findFirst()
			.orElseThrow();
		return text + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
	}

	/** A response's head, read byte by byte. */
	private static String head(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
			int b = in.read();
			assertThat(b).as("the response continues: " + head.toString(StandardCharsets.ISO_8859_1)).isNotNegative();
			head.write(b);
		}
		return head.toString(StandardCharsets.ISO_8859_1);
	}

}
