package dev.warp.sample.tunnel;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import dev.warp.edge.EdgeNode;
import dev.warp.sample.tunnel.HttpProbeConfiguration.HttpProbes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP semantics kept end to end, checked on the raw bytes a visitor sends and receives.
 */
class TunnelSemanticsTests {

	static final String HOST = "semantics.warp.test";

	@TempDir
	static Path dir;

	static EdgeNode edge;

	static ConfigurableApplicationContext app;

	static HttpProbes probes;

	@BeforeAll
	static void start() {
		edge = TunnelTestSupport.startEdge(dir.resolve("edge"));
		app = TunnelTestSupport.startAppWith(List.of(HttpProbeConfiguration.class), edge, HOST);
		probes = app.getBean(HttpProbes.class);
	}

	@AfterAll
	static void stop() {
		TunnelTestSupport.close(app, edge);
	}

	@Test
	void expectContinueGets100BeforeTheBodyIsSent() throws Exception {
		try (RawVisitor visitor = new RawVisitor(edge)) {
			String interim = visitor.send("POST /echo HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Type: text/plain\r\n"
					+ "Content-Length: 11\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
				.readUntil("\r\n\r\n");
			assertThat(interim).startsWith("HTTP/1.1 100 Continue");
			String response = new String(visitor.send("hello world").readToEnd(), StandardCharsets.ISO_8859_1);
			assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello world");
		}
	}

	@Test
	void chunkedBodyOfUnknownLengthArrivesWhole() throws Exception {
		String response = RawVisitor.exchange(edge, "POST /echo HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Type: text/plain\r\n"
				+ "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
				+ "5\r\nfirst\r\n7\r\n, then \r\n4\r\nlast\r\n0\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 200");
		assertThat(dechunk(body(response))).isEqualTo("first, then last");
	}

	@Test
	void contentLengthOfTheApplicationIsHonoured() throws Exception {
		String response = RawVisitor.exchange(edge,
				"GET /download?size=12345 HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
		assertThat(response.toLowerCase()).contains("\r\ncontent-length: 12345\r\n").doesNotContain("transfer-encoding");
		assertThat(body(response)).hasSize(12345);
	}

	@Test
	void compressedResponseOfTheApplicationPassesUntouched() throws Exception {
		try (RawVisitor visitor = new RawVisitor(edge)) {
			byte[] raw = visitor.send("GET /http/precompressed HTTP/1.1\r\nHost: " + HOST
					+ "\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n").readToEnd();
			String head = new String(raw, StandardCharsets.ISO_8859_1);
			assertThat(head.toLowerCase()).contains("\r\ncontent-encoding: gzip\r\n")
				.contains("\r\ncontent-length: " + probes.gzipped.length + "\r\n");
			int start = head.indexOf("\r\n\r\n") + 4;
			assertThat(Arrays.copyOfRange(raw, start, raw.length)).isEqualTo(probes.gzipped);
		}
	}

	@Test
	void nonAsciiAndEncodedPathsArriveByteExact() throws Exception {
		// UTF-8 "café" percent-encoded in the path, its raw bytes in the query, an encoded slash.
		String target = "/http/target/caf%C3%A9%2Fx?name=caf\u00c3\u00a9&v=a%20b+c";
		String request = "GET " + target + " HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n";
		String tunneled = RawVisitor.exchange(edge, request);
		String direct;
		try (Socket socket = new Socket("127.0.0.1",
				((WebServerApplicationContext) app).getWebServer().getPort())) {
			socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
			direct = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
		}
		assertThat(tunneled).startsWith("HTTP/1.1 200");
		// Each byte of the target reaches the application as it does over the app's own port.
		assertThat(body(tunneled)).isEqualTo(body(direct))
			.startsWith("/http/target/caf%C3%A9%2Fx name=caf")
			.endsWith("&v=a%20b+c");
	}

	@Test
	void longQueryStringUpToTheLimitArrivesWhole() throws Exception {
		String query = "q=" + "x".repeat(15_000);
		String response = RawVisitor.exchange(edge,
				"GET /probe/request?" + query + " HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 200");
		assertThat(body(response)).contains("\"rawQuery\":\"" + query + "\"");
	}

	@Test
	void queryStringOverTheLimitIs414() throws Exception {
		String response = RawVisitor.exchange(edge, "GET /probe/request?q=" + "x".repeat(17_000) + " HTTP/1.1\r\nHost: "
				+ HOST + "\r\nConnection: close\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 414");
	}

	@Test
	void headerNamesOfAnyCaseAndRepeatedValuesArriveInOrder() throws Exception {
		String response = RawVisitor.exchange(edge, "GET /probe/request HTTP/1.1\r\nHost: " + HOST
				+ "\r\nX-Mixed-CASE: first\r\nx-mixed-case: second\r\nX-MIXED-case: third\r\nConnection: close\r\n\r\n");
		assertThat(body(response)).contains("\"x-mixed-case\":[\"first\",\"second\",\"third\"]");
	}

	private static String body(String response) {
		return response.substring(response.indexOf("\r\n\r\n") + 4);
	}

	private static String dechunk(String chunked) {
		StringBuilder out = new StringBuilder();
		int at = 0;
		while (true) {
			int lineEnd = chunked.indexOf("\r\n", at);
			int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
			if (size == 0) {
				return out.toString();
			}
			out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
			at = lineEnd + 2 + size + 2;
		}
	}

}
