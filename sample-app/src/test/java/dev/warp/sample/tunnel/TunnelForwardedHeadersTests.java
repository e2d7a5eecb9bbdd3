package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.warp.edge.EdgeNode;
import dev.warp.edge.EdgeSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever forwarding headers a visitor sends to pass for someone else, the real sample app,
 * served through a real edge, sees the visitor's true address, scheme, host, port and path
 * (over HTTP, over the edge's TLS listener, and in a WebSocket's handshake),
 * under each of Spring Boot's {@code server.forward-headers-strategy} values: Reactor Netty's
 * ({@code native}), Spring's {@code ForwardedHeaderTransformer} ({@code framework}), and none.
 */
class TunnelForwardedHeadersTests {

	@TempDir
	static Path dataDir;

	private static EdgeNode edge;

	@BeforeAll
	static void startEdge() {
		edge = TunnelTestSupport.startEdge(dataDir,
				(settings) -> settings.publicTls(EdgeSettings.PublicTls.issued(0, List.of("127.0.0.1"))));
	}

	@AfterAll
	static void stopEdge() {
		TunnelTestSupport.close(edge);
	}

	@ParameterizedTest(name = "server.forward-headers-strategy={0}")
	@ValueSource(strings = { "native", "framework", "none" })
	void theAppSeesTheVisitorNotTheForwardingHeadersItSent(String strategy) {
		String hostname = strategy + ".forwarding.test";
		ConfigurableApplicationContext app = TunnelTestSupport.startAppWith(List.of(WebSocketWhoAmI.class), edge, hostname,
				"--server.forward-headers-strategy=" + strategy);
		try {
			// As a browser sends it for http://<hostname>:<port>/api/info, and behind a port mapping.
			assertTheAppSeesTheVisitor(visitor(), "http", hostname + ":" + edge.publicPort(), hostname, edge.publicPort());
			assertTheAppSeesTheVisitor(visitor(), "http", hostname, hostname, 80);
			assertTheAppSeesTheVisitor(httpsVisitor(), "https", hostname, hostname, 443);
			assertTheWebSocketSeesTheVisitor(hostname + ":" + edge.publicPort());
		}
		finally {
			TunnelTestSupport.close(app);
		}
	}

	private static void assertTheAppSeesTheVisitor(WebTestClient visitor, String scheme, String hostHeader,
			String hostname, int port) {
		Map<String, Object> info = visitor.get()
			.uri("/api/info")
			.header("Host", hostHeader)
			.header("Forwarded", "for=9.9.9.9;proto=https;host=evil.test")
			.header("X-Forwarded-For", "1.1.1.1")
			.header("X-Forwarded-Proto", "https")
			.header("X-Forwarded-Host", "evil.test")
			.header("X-Forwarded-Port", "8443")
			.header("X-Forwarded-Prefix", "/evil")
			.header("X-Forwarded-Ssl", "on")
			.header("X-Real-IP", "9.9.9.9")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
		assertThat(info).as(scheme + " " + hostHeader)
			.containsEntry("remoteAddress", TunnelTestSupport.VISITOR_IP)
			.containsEntry("scheme", scheme)
			.containsEntry("host", hostname)
			.containsEntry("port", port)
			.containsEntry("path", "/api/info");
		assertThat(info.toString()).as(scheme + " " + hostHeader).doesNotContain("9.9.9.9", "1.1.1.1", "evil", "8443");
	}

	/** A WebSocket handshake carries the same claims: the application's handshake info holds none of them. */
	private static void assertTheWebSocketSeesTheVisitor(String host) {
		String seen = TunnelTestSupport.visitorHttpClient(edge, 1)
			.headers((headers) -> headers.set("Host", host)
				.set("Forwarded", "for=9.9.9.9;proto=https;host=evil.test")
				.set("X-Forwarded-For", "1.1.1.1")
				.set("X-Forwarded-Host", "evil.test")
				.set("X-Forwarded-Port", "8443")
				.set("X-Real-IP", "9.9.9.9"))
			.websocket()
			.uri("/ws/whoami")
			.handle((in, out) -> in.receive().asString().take(1))
			.blockLast(Duration.ofSeconds(30));
		assertThat(seen).startsWith(TunnelTestSupport.VISITOR_IP + " http://" + host + "/ws/whoami")
			.doesNotContain("9.9.9.9", "1.1.1.1", "evil", "8443");
	}

	private static WebTestClient visitor() {
		return WebTestClient.bindToServer(new ReactorClientHttpConnector(TunnelTestSupport.visitorHttpClient(edge, 4)))
			.baseUrl("http://127.0.0.1:" + edge.publicPort())
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

	/** {@code /ws/whoami}: one message, the remote address and URI the application saw of the handshake. */
	@TestConfiguration(proxyBeanMethods = false)
	static class WebSocketWhoAmI {

		@Bean
		HandlerMapping webSocketWhoAmIMapping() {
			WebSocketHandler whoAmI = (session) -> {
				HandshakeInfo handshake = session.getHandshakeInfo();
				String seen = handshake.getRemoteAddress().getHostString() + " " + handshake.getUri();
				return session.send(Mono.just(session.textMessage(seen)));
			};
			return new SimpleUrlHandlerMapping(Map.of("/ws/whoami", whoAmI), Ordered.HIGHEST_PRECEDENCE);
		}

	}

	/** A visitor of the edge's TLS listener, trusting the edge's CA. */
	private static WebTestClient httpsVisitor() {
		HttpClient client = TunnelTestSupport.visitorHttpClient(edge, 4)
			.secure((spec) -> spec.sslContext(Http11SslContextSpec.forClient()
				.configure((builder) -> builder.trustManager(edge.caCertificateFile().toFile()))));
		return WebTestClient.bindToServer(new ReactorClientHttpConnector(client))
			.baseUrl("https://127.0.0.1:" + edge.publicTlsPort())
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

}
