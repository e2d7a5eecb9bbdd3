package dev.warp.edge;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.warp.core.protocol.TunnelProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an HTTP/1.x request's head decides on its own: framing HTTP/1.0 cannot have, expectations,
 * upgrades the edge does not speak, methods it does not serve.
 */
class EdgeHttp1RequestHeadTests {

	private static final String HOST = "shop.example.test";

	@RegisterExtension
	final RoutedEdge routed = new RoutedEdge(HOST);

	@Test
	void http10RequestWithATransferEncodingIs400AndTheConnectionCloses() throws Exception {
		// RFC 9112 6.1: HTTP/1.0 has no transfer coding, so this request's framing is faulty.
		String response = Visitor.raw(this.routed.edge(), "POST /length HTTP/1.0\r\nHost: " + HOST
				+ "\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 400").contains("connection: close").containsOnlyOnce("HTTP/1.");
		assertThat(this.routed.agent().requests).doesNotContain("/length");
	}

	@Test
	void http10RequestExpectingContinueIsForwardedWithoutA100() throws Exception {
		// RFC 9110 10.1.1: a server MUST ignore a 100-continue expectation in an HTTP/1.0 request.
		try (Socket socket = new Socket("127.0.0.1", this.routed.edge().publicPort())) {
			socket.setSoTimeout((int) Visitor.TIMEOUT.toMillis());
			OutputStream out = socket.getOutputStream();
			out.write(("POST /length HTTP/1.0\r\nHost: " + HOST + "\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			await().atMost(Duration.ofSeconds(5)).until(() -> this.routed.agent().requests.contains("/length"));
			InputStream in = socket.getInputStream();
			assertThat(in.available()).as("bytes the edge sent before the body").isZero();
			out.write("hello".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
			assertThat(response).startsWith("HTTP/1.0 200").doesNotContain("100 Continue").endsWith("\r\n\r\n5");
		}
	}

	@Test
	void unsupportedExpectationIs417() throws Exception {
		String response = Visitor.raw(this.routed.edge(), "GET /hello HTTP/1.1\r\nHost: " + HOST
				+ "\r\nExpect: teapot\r\nConnection: close\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 417").contains("Only the expectation 100-continue is supported");
		assertThat(this.routed.agent().requests).doesNotContain("/hello");
	}

	@Test
	void upgradeToAProtocolTheEdgeDoesNotSpeakIsIgnored() throws Exception {
		// RFC 9110 7.8: a server may ignore Upgrade; the request is served as it is.
		String response = Visitor.raw(this.routed.edge(), "GET /hello HTTP/1.1\r\nHost: " + HOST
				+ "\r\nUpgrade: example/1\r\nConnection: upgrade, close\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello");
	}

	@Test
	void connectIs501() throws Exception {
		String response = Visitor.raw(this.routed.edge(), "CONNECT " + HOST + ":443 HTTP/1.1\r\nHost: " + HOST
				+ ":443\r\nConnection: close\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 501").contains("CONNECT is not supported");
		assertThat(this.routed.agent().requests).allMatch(TunnelProtocol.CONTROL_PATH::equals);
	}

	@Test
	void anHttpVersionOtherThan10And11Is505() throws Exception {
		String response = Visitor.raw(this.routed.edge(), "GET /hello HTTP/1.7\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 505");
		assertThat(this.routed.agent().requests).doesNotContain("/hello");
	}

}
