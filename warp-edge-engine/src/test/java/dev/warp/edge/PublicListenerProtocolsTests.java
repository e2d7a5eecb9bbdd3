package dev.warp.edge;

import java.time.Duration;

import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cleartext public listener speaks what a visitor chooses: HTTP/1.1, HTTP/2 with prior
 * knowledge, or HTTP/1.1 upgraded to HTTP/2 ({@code Upgrade: h2c}); an {@code h2c} upgrade that
 * carries a body is served over HTTP/1.1, its upgrade headers not forwarded.
 */
class PublicListenerProtocolsTests {

	private static final String HOST = "shop.example.test";

	@RegisterExtension
	final RoutedEdge routed = new RoutedEdge(HOST, (edge) -> edge.responseTimeout(Duration.ofSeconds(5)));

	@Test
	void anH2cUpgradeWithoutABodyIsAnsweredOverHttp2() {
		HttpClient client = HttpClient.create(ConnectionProvider.newConnection())
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.host("127.0.0.1")
			.port(this.routed.edge().publicPort())
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, HOST));
		String[] versions = client.get()
			.uri("/hello")
			.responseSingle((response, body) -> body.asString()
				.map((text) -> new String[] { response.version().text(), String.valueOf(response.status().code()), text }))
			.block(Visitor.TIMEOUT);
		assertThat(versions).containsExactly("HTTP/2.0", "200", "hello");
	}

	@Test
	void priorKnowledgeHttp2IsAnsweredOverHttp2() {
		String[] versions = Visitor.h2c(this.routed.edge(), HOST)
			.get()
			.uri("/hello")
			.responseSingle((response, body) -> body.asString()
				.map((text) -> new String[] { response.version().text(), text }))
			.block(Visitor.TIMEOUT);
		assertThat(versions).containsExactly("HTTP/2.0", "hello");
	}

	@Test
	void anH2cUpgradeWithABodyIsServedOverHttp11WithoutItsUpgradeHeaders() throws Exception {
		String response = Visitor.raw(this.routed.edge(), "POST /headers HTTP/1.1\r\nHost: " + HOST + "\r\n"
				+ "Connection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n"
				+ "Content-Length: 5\r\n\r\nhello");
		assertThat(response).startsWith("HTTP/1.1 200");
		assertThat(response.toLowerCase()).doesNotContain("upgrade: h2c").doesNotContain("http2-settings");
	}

	@Test
	void anUpgradeToAnotherProtocolIsIgnored() throws Exception {
		String response = Visitor.raw(this.routed.edge(), "GET /hello HTTP/1.1\r\nHost: " + HOST + "\r\n"
				+ "Connection: Upgrade, close\r\nUpgrade: TLS/1.2\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello");
	}

}
