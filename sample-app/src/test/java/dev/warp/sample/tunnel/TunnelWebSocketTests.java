package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.warp.agent.WarpTunnel;
import dev.warp.edge.EdgeNode;
import dev.warp.edge.EdgeSettings;
import dev.warp.sample.tunnel.WebSocketProbeConfiguration.WebSocketProbe;
import dev.warp.sample.tunnel.WebSocketVisitor.Frame;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.HttpProtocol;
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
		app = TunnelTestSupport.startApp(edge, HOST, PROBE_SOURCES);
		visitor = TunnelTestSupport.visitorHttpClient(edge, 16);
	}

	@AfterAll
	static void stop() {
		TunnelTestSupport.close(app, edge);
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

	@Test
	void subprotocolChosenByTheApplicationReachesTheVisitor() throws Exception {
		try (WebSocketVisitor ws = WebSocketVisitor.open(visitor, HOST, "/ws/echo", "chat.v9", "echo.v1")) {
			assertThat(ws.subprotocol()).isEqualTo("echo.v1");
			assertThat(ws.handshakeHeaders().get("Warp-Ray")).endsWith("-edge-test");
			ws.sendText("spoken in echo.v1");
			assertThat(ws.next(WAIT)).extracting(Frame::text).isEqualTo("spoken in echo.v1");
		}
	}

	@Test
	void noSubprotocolWhenTheApplicationSpeaksNoneOfThoseAsked() throws Exception {
		try (WebSocketVisitor ws = WebSocketVisitor.open(visitor, HOST, "/ws/echo")) {
			assertThat(ws.subprotocol()).isNull();
		}
	}

	@Test
	void visitorPingIsAnsweredByTheApplicationWithItsPayload() throws Exception {
		try (WebSocketVisitor ws = WebSocketVisitor.open(visitor, HOST, "/ws/echo")) {
			ws.sendPing(new byte[] { 1, 2, 3, 4 });
			Frame pong = ws.next(WAIT);
			assertThat(pong).isNotNull();
			assertThat(pong.type()).isEqualTo("PongWebSocketFrame");
			assertThat(pong.payload()).containsExactly(1, 2, 3, 4);
		}
	}

	@Test
	void applicationPingReachesTheVisitorAndTheVisitorsPongReachesTheApplication() throws Exception {
		WebSocketProbe probe = app.getBean(WebSocketProbe.class);
		probe.pongs.clear();
		try (WebSocketVisitor ws = WebSocketVisitor.open(visitor, HOST, "/ws/probe")) {
			ws.sendText("ping:are you there");
			Frame ping = ws.next(WAIT);
			assertThat(ping).isNotNull();
			assertThat(ping.type()).isEqualTo("PingWebSocketFrame");
			assertThat(ping.text()).isEqualTo("are you there");
			ws.send(new PongWebSocketFrame(Unpooled.wrappedBuffer(ping.payload())));
			assertThat(probe.pongs.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("are you there");
		}
	}

	@Test
	void visitorCloseCodeAndReasonReachTheApplication() throws Exception {
		WebSocketProbe probe = app.getBean(WebSocketProbe.class);
		probe.closes.clear();
		try (WebSocketVisitor ws = WebSocketVisitor.open(visitor, HOST, "/ws/probe")) {
			ws.sendText("before closing");
			assertThat(ws.next(WAIT)).extracting(Frame::text).isEqualTo("before closing");
			ws.close(4001, "visitor leaves");
			CloseStatus seen = probe.closes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(seen).isEqualTo(new CloseStatus(4001, "visitor leaves"));
		}
	}

	@Test
	void applicationCloseCodeAndReasonReachTheVisitor() throws Exception {
		try (WebSocketVisitor ws = WebSocketVisitor.open(visitor, HOST, "/ws/probe")) {
			ws.sendText("close:4002:application is done");
			WebSocketCloseStatus status = ws.closeStatus(WAIT);
			assertThat(status).isNotNull();
			assertThat(status.code()).isEqualTo(4002);
			assertThat(status.reasonText()).isEqualTo("application is done");
		}
	}

	@Test
	void handshakeRefusedByTheApplicationReachesTheVisitorAsItsStatus() {
		assertThatExceptionOfType(WebSocketClientHandshakeException.class)
			.isThrownBy(() -> WebSocketVisitor.open(visitor, HOST, "/ws/forbidden"))
			.satisfies((refused) -> assertThat(refused.response().status().code()).isEqualTo(403));
	}

	@Test
	void handshakeForAPathWithoutWebSocketHandlerGets404() {
		assertThatExceptionOfType(WebSocketClientHandshakeException.class)
			.isThrownBy(() -> WebSocketVisitor.open(visitor, HOST, "/ws/nothing-here"))
			.satisfies((refused) -> assertThat(refused.response().status().code()).isEqualTo(404));
	}

	@Test
	void openWebSocketCountsAsAnActiveRequestUntilItCloses() throws Exception {
		WarpTunnel tunnel = app.getBean(WarpTunnel.class);
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(tunnel.statistics().activeRequests()).isZero();
			assertThat(tunnel.connections().get(0).activeStreams()).isZero();
		});
		try (WebSocketVisitor ws = WebSocketVisitor.open(visitor, HOST, "/ws/echo")) {
			ws.sendText("open");
			assertThat(ws.next(WAIT)).isNotNull();
			assertThat(tunnel.statistics().activeRequests()).isEqualTo(1);
			assertThat(tunnel.connections().get(0).activeStreams()).isEqualTo(1);
			assertThat(edge.routeTable().select(HOST).activeStreams()).isEqualTo(1);
			ws.close(1000, "done");
		}
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(tunnel.statistics().activeRequests()).isZero();
			assertThat(tunnel.connections().get(0).activeStreams()).isZero();
			assertThat(edge.routeTable().select(HOST).activeStreams()).isZero();
		});
	}

	@Test
	void abruptVisitorDisconnectEndsTheApplicationsSessionAndFreesTheStream() throws Exception {
		WebSocketProbe probe = app.getBean(WebSocketProbe.class);
		WarpTunnel tunnel = app.getBean(WarpTunnel.class);
		probe.closes.clear();
		try (WebSocketVisitor ws = WebSocketVisitor.open(visitor, HOST, "/ws/probe")) {
			ws.sendText("still here");
			assertThat(ws.next(WAIT)).isNotNull();
			assertThat(probe.open.get()).isEqualTo(1);
			ws.abort();
		}
		assertThat(probe.closes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(probe.open.get()).isZero();
			assertThat(tunnel.connections().get(0).activeStreams()).isZero();
			assertThat(edge.routeTable().select(HOST).activeStreams()).isZero();
		});
	}

	@Test
	void idleWebSocketOutlivesManyHeartbeatsAndStillEchoes(@TempDir Path idleDir) throws Exception {
		EdgeNode quickEdge = EdgeNode.start(EdgeSettings.builder()
			.nodeId("edge-idle")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(idleDir)
			.heartbeat(Duration.ofMillis(100), 3)
			// A request's stream and a visitor's request headers get half a second: a WebSocket is neither.
			.idleTimeout(Duration.ofMillis(500))
			.headerReadTimeout(Duration.ofMillis(500))
			.build());
		ConfigurableApplicationContext quickApp = TunnelTestSupport.startApp(quickEdge, "idle.warp.test",
				"--warp.heartbeat.interval=100ms");
		try (WebSocketVisitor ws = WebSocketVisitor.open(TunnelTestSupport.visitorHttpClient(quickEdge, 2),
				"idle.warp.test", "/ws/echo")) {
			// Silent for thirty heartbeat intervals of both ends, six times the edge's timeouts.
			Thread.sleep(3000);
			ws.sendText("still open");
			assertThat(ws.next(WAIT)).extracting(Frame::text).isEqualTo("still open");
		}
		finally {
			quickApp.close();
			quickEdge.close();
		}
	}

	@Test
	void edgePingsAnIdleVisitorAndItsPongsStopAtTheEdge(@TempDir Path pingDir) throws Exception {
		EdgeNode pingingEdge = EdgeNode.start(EdgeSettings.builder()
			.nodeId("edge-ping")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(pingDir)
			.webSocketPingInterval(Duration.ofMillis(200))
			.build());
		ConfigurableApplicationContext pingedApp = TunnelTestSupport.startApp(pingingEdge, "ping.warp.test",
				PROBE_SOURCES);
		WebSocketProbe probe = pingedApp.getBean(WebSocketProbe.class);
		try (WebSocketVisitor ws = WebSocketVisitor.open(TunnelTestSupport.visitorHttpClient(pingingEdge, 2),
				"ping.warp.test", "/ws/probe")) {
			for (int i = 0; i < 3; i++) {
				Frame ping = ws.next(WAIT);
				assertThat(ping).isNotNull();
				assertThat(ping.type()).isEqualTo("PingWebSocketFrame");
				ws.send(new PongWebSocketFrame(Unpooled.wrappedBuffer(ping.payload())));
			}
			assertThat(probe.pongs.poll(500, TimeUnit.MILLISECONDS)).isNull();
			ws.sendText("still here");
			Frame echo;
			do {
				echo = ws.next(WAIT);
				assertThat(echo).isNotNull();
			}
			while (echo.type().equals("PingWebSocketFrame"));
			assertThat(echo.text()).isEqualTo("still here");
		}
		finally {
			pingedApp.close();
			pingingEdge.close();
		}
	}

	@Test
	void applicationShutdownClosesItsWebSocketsWithGoingAwayWithoutWaitingOutTheGracePeriod(@TempDir Path drainDir)
			throws Exception {
		ConfigurableApplicationContext draining = TunnelTestSupport.startApp(edge, "drain.warp.test",
				"--warp.grace-period=30s");
		try (WebSocketVisitor ws = WebSocketVisitor.open(visitor, "drain.warp.test", "/ws/echo")) {
			ws.sendText("before the drain");
			assertThat(ws.next(WAIT)).isNotNull();
			long start = System.nanoTime();
			draining.close();
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			WebSocketCloseStatus status = ws.closeStatus(WAIT);
			assertThat(status).isNotNull();
			assertThat(status.code()).isEqualTo(1001);
			assertThat(took).isLessThan(Duration.ofSeconds(15));
		}
		finally {
			draining.close();
		}
	}

	@Test
	void tunnelConnectionLostUnderAWebSocketClosesItWithGoingAway() throws Exception {
		try (TcpProxy proxy = new TcpProxy(edge.tunnelPort())) {
			ConfigurableApplicationContext cutOff = TunnelTestSupport.startApp("lost.warp.test",
					"--warp.edge.addresses=" + proxy.address(), "--warp.edge.ca-certificate=" + edge.caCertificateFile());
			try (WebSocketVisitor ws = WebSocketVisitor.open(visitor, "lost.warp.test", "/ws/echo")) {
				ws.sendText("before the cut");
				assertThat(ws.next(WAIT)).isNotNull();
				proxy.cut();
				WebSocketCloseStatus status = ws.closeStatus(WAIT);
				assertThat(status).isNotNull();
				assertThat(status.code()).isEqualTo(1001);
				assertThat(status.reasonText()).contains("tunnel connection closed");
			}
			finally {
				cutOff.close();
			}
		}
	}

	@Test
	void edgeShutdownClosesWebSocketsWithGoingAway(@TempDir Path edgeDir) throws Exception {
		EdgeNode leaving = TunnelTestSupport.startEdge(edgeDir, "edge-leaving");
		ConfigurableApplicationContext served = TunnelTestSupport.startApp(leaving, "leaving.warp.test");
		try (WebSocketVisitor ws = WebSocketVisitor.open(TunnelTestSupport.visitorHttpClient(leaving, 2),
				"leaving.warp.test", "/ws/echo")) {
			ws.sendText("before the edge leaves");
			assertThat(ws.next(WAIT)).isNotNull();
			leaving.shutdownGracefully(Duration.ofSeconds(10));
			WebSocketCloseStatus status = ws.closeStatus(WAIT);
			assertThat(status).isNotNull();
			assertThat(status.code()).isEqualTo(1001);
		}
		finally {
			served.close();
			leaving.close();
		}
	}

	@Test
	void http2VisitorOpensAWebSocketWithExtendedConnect() throws Exception {
		HttpClient h2c = TunnelTestSupport.visitorHttpClient(edge, 2).protocol(HttpProtocol.H2C);
		try (WebSocketVisitor ws = WebSocketVisitor.open(h2c, HOST, "/ws/echo", "echo.v1")) {
			assertThat(ws.subprotocol()).isEqualTo("echo.v1");
			ws.sendText("over HTTP/2 both ways");
			assertThat(ws.next(WAIT)).extracting(Frame::text).isEqualTo("over HTTP/2 both ways");
		}
	}

}
