package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.warp.agent.WarpTunnel;
import dev.warp.edge.EdgeNode;
import dev.warp.sample.tunnel.WebSocketProbeConfiguration.WebSocketProbe;
import dev.warp.sample.tunnel.WebSocketVisitor.Frame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * WebSockets through the tunnel, end to end: a visitor's WebSocket client, the real edge, a
 * real TLS tunnel connection and the sample application's own WebFlux WebSocket handlers.
 */
class TunnelWebSocketTests {

	static final String HOST = "ws.warp.test";

	static final String PROBE_SOURCES = "--spring.main.sources=" + WebSocketProbeConfiguration.class.getName();

	static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	static Path dataDir;

	static EdgeNode edge;

	static ConfigurableApplicationContext app;

	static HttpClient visitor;

	@BeforeAll
	static void start() {
		edge = TunnelTestSupport.startEdge(dataDir);
		app = TunnelTestSupport.startApp(edge, HOST, PROBE_SOURCES, "--logging.level.dev.warp=DEBUG", "--logging.level.reactor.netty.http.server=DEBUG", "--logging.level.reactor.netty.http.client=DEBUG");
		visitor = TunnelTestSupport.visitorHttpClient(edge, 16);
	}

	@AfterAll
	static void stop() {
		if (app != null) {
			app.close();
		}
		if (edge != null) {
			edge.close();
		}
	}

	@Test
	void webSocketEchoesTextAndBinaryFrames() throws Exception {
		try (WebSocketVisitor ws = WebSocketVisitor.open(visitor, HOST, "/ws/echo")) {
			ws.sendText("hello through the tunnel");
			Frame text = ws.next(WAIT);
			assertThat(text).isNotNull();
			assertThat(text.type()).isEqualTo("TextWebSocketFrame");
			assertThat(text.text()).isEqualTo("hello through the tunnel");
			byte[] bytes = new byte[60_000];
			for (int i = 0; i < bytes.length; i++) {
				bytes[i] = (byte) (i * 31);
			}
			ws.sendBinary(bytes);
			Frame binary = ws.next(WAIT);
			assertThat(binary).isNotNull();
			assertThat(binary.type()).isEqualTo("BinaryWebSocketFrame");
			assertThat(binary.payload()).isEqualTo(bytes);
		}
	}

}
