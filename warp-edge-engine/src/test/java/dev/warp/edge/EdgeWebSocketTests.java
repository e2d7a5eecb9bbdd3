package dev.warp.edge;

import java.nio.file.Path;
import java.time.Duration;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The edge's side of WebSockets that needs no application: what it does when the agent cannot
 * take one. WebSockets through a real agent are specified end to end in the sample app's
 * {@code TunnelWebSocketTests}.
 */
class EdgeWebSocketTests {

	private static final String HOST = "chat.example.test";

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private TestAgent agent;

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).build());
		// A bare HTTP/2 agent: it does not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL.
		this.agent = TestAgent.connectRouted(this.edge, HOST);
	}

	@AfterEach
	void stop() {
		this.agent.close();
		this.edge.close();
	}

	@Test
	void webSocketToAnAgentWithoutExtendedConnectIsRefusedWith502() {
		assertThat(this.edge.routeTable().select(HOST).acceptsWebSockets()).isFalse();
		HttpClient visitor = HttpClient.create()
			.baseUrl("http://127.0.0.1:" + this.edge.publicPort())
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, HOST));
		assertThatExceptionOfType(WebSocketClientHandshakeException.class)
			.isThrownBy(() -> visitor.websocket().uri("/chat").connect().block(Duration.ofSeconds(10)))
			.satisfies((refused) -> assertThat(refused.response().status().code()).isEqualTo(502));
	}

}
