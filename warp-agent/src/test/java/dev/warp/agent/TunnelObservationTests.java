package dev.warp.agent;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.warp.core.protocol.ControlMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * What the agent reports about itself (statistics and observer events) and what it tells the
 * edge about the application's readiness, against a minimal edge over real TLS on loopback.
 */
class TunnelObservationTests {

	@TempDir
	Path dir;

	private TestEdge edge;

	private WarpTunnel tunnel;

	private final RecordingObserver observer = new RecordingObserver();

	private final HttpHandler handler = (request, response) -> {
		switch (request.getURI().getRawPath()) {
			case "/hello" -> {
				DataBuffer buffer = response.bufferFactory().wrap("hello".getBytes(StandardCharsets.UTF_8));
				return response.writeWith(Mono.just(buffer));
			}
			case "/missing" -> {
				response.setStatusCode(HttpStatus.NOT_FOUND);
				return response.setComplete();
			}
			case "/never" -> {
				return Mono.never();
			}
			case "/broken" -> {
				return Mono.error(new IllegalStateException("broken on purpose"));
			}
			default -> {
				response.setStatusCode(HttpStatus.NO_CONTENT);
				return response.setComplete();
			}
		}
	};

	@BeforeEach
	void startEdge() throws Exception {
		this.edge = new TestEdge(this.dir, List.of("localhost", "127.0.0.1"));
	}

	@AfterEach
	void stop() {
		if (this.tunnel != null) {
			this.tunnel.stop(Duration.ZERO).block(Duration.ofSeconds(10));
		}
		this.edge.close();
	}

	private WarpTunnel startTunnel(int port) {
		this.tunnel = new WarpTunnel(TunnelSettings.builder("shop.example.test")
			.edgeAddresses(List.of(new EdgeAddress("127.0.0.1", port)))
			.caCertificate(this.edge.caFile)
				.credentialsDir(this.edge.credentialsDir)
			.connections(1)
			.backoff(Duration.ofMillis(50), Duration.ofMillis(200))
			.heartbeat(Duration.ofMillis(200), 3)
			.build(), this.handler);
		this.tunnel.statistics().addObserver(this.observer);
		this.tunnel.start();
		return this.tunnel;
	}

	private WarpTunnel startRegisteredTunnel() {
		startTunnel(this.edge.port()).registered().block(Duration.ofSeconds(10));
		return this.tunnel;
	}

	@Test
	void countsRequestsWithMethodStatusAndOutcome() throws Exception {
		startRegisteredTunnel();
		assertThat(this.edge.request(get("/hello"), new byte[0]).status()).isEqualTo("200");
		assertThat(this.edge.request(get("/missing"), new byte[0]).status()).isEqualTo("404");
		assertThat(this.edge.request(get("/broken"), new byte[0]).status()).isEqualTo("500");
		Http2Headers post = new DefaultHttp2Headers().method("POST").path("/other").scheme("http").authority("x");
		assertThat(this.edge.request(post, "body".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo("204");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.observer.requests.size() == 4);
		assertThat(this.observer.requests).extracting(TunnelRequest::method, TunnelRequest::statusTag,
				TunnelRequest::outcome)
			.containsExactly(tuple("GET", "200", RequestOutcome.SUCCESS),
					tuple("GET", "404", RequestOutcome.CLIENT_ERROR),
					tuple("GET", "500", RequestOutcome.SERVER_ERROR),
					tuple("POST", "204", RequestOutcome.SUCCESS));
		assertThat(this.observer.requests).allSatisfy((request) -> assertThat(request.duration()).isPositive());
		TunnelStatistics statistics = this.tunnel.statistics();
		assertThat(statistics.requests()).isEqualTo(4);
		assertThat(statistics.activeRequests()).isZero();
	}

	@Test
	void methodsOutsideTheStandardSetAreReportedAsOther() throws Exception {
		startRegisteredTunnel();
		Http2Headers brew = new DefaultHttp2Headers().method("BREW").path("/hello").scheme("http").authority("x");
		this.edge.request(brew, new byte[0]);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.observer.requests.size() == 1);
		assertThat(this.observer.requests.peek().method()).isEqualTo("OTHER");
	}

	@Test
	void requestTheEdgeResetsIsCancelledAndNoLongerActive() throws Exception {
		startRegisteredTunnel();
		Channel connection = this.edge.tunnel.get(10, TimeUnit.SECONDS);
		Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(new ChannelInboundHandlerAdapter())
			.open()
			.get(5, TimeUnit.SECONDS);
		stream.writeAndFlush(new DefaultHttp2HeadersFrame(get("/never"), true)).sync();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.tunnel.statistics().activeRequests() == 1);
		assertThat(this.tunnel.connections().get(0).activeStreams()).isEqualTo(1);
		stream.close().sync();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.observer.requests.size() == 1);
		TunnelRequest cancelled = this.observer.requests.peek();
		assertThat(cancelled.outcome()).isEqualTo(RequestOutcome.CANCELLED);
		assertThat(cancelled.statusTag()).isEqualTo("UNKNOWN");
		assertThat(this.tunnel.statistics().activeRequests()).isZero();
	}

	@Test
	void countsTheBytesOfTheTunnelSocketBothWays() throws Exception {
		startRegisteredTunnel();
		TunnelStatistics statistics = this.tunnel.statistics();
		long received = statistics.bytesReceived();
		long sent = statistics.bytesSent();
		assertThat(received).isPositive();
		assertThat(sent).isPositive();
		byte[] body = new byte[64 * 1024];
		Http2Headers post = new DefaultHttp2Headers().method("POST").path("/other").scheme("http").authority("x");
		this.edge.request(post, body);
		// The response may come before the agent's socket has read the whole body (a 404 does not wait for it).
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(statistics.bytesReceived() - received).isGreaterThan(body.length));
		assertThat(statistics.bytesSent()).isGreaterThan(sent);
	}

	@Test
	void reconnectAfterTheEdgeClosedTheConnectionIsCountedWithItsReason() throws Exception {
		startRegisteredTunnel();
		assertThat(this.tunnel.statistics().reconnects()).isZero();
		this.edge.dropTunnel();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.tunnel.statistics().reconnects() == 1);
		assertThat(this.observer.reconnects.poll(5, TimeUnit.SECONDS)).isEqualTo(ReconnectReason.CLOSED);
		assertThat(this.tunnel.statistics().reconnects(ReconnectReason.CLOSED)).isEqualTo(1);
	}

	@Test
	void reconnectAfterHeartbeatsWentUnansweredIsCountedWithItsReason() {
		this.edge.answerPings(false);
		startTunnel(this.edge.port());
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.tunnel.statistics().reconnects(ReconnectReason.HEARTBEAT) >= 1);
	}

	@Test
	void failedConnectIsCountedWithItsReason() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		startTunnel(closedPort);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.tunnel.statistics().reconnects(ReconnectReason.CONNECT) >= 2);
		assertThat(this.tunnel.statistics().reconnects()).isEqualTo(
				this.tunnel.statistics().reconnects(ReconnectReason.CONNECT));
	}

	@Test
	void requestedReconnectIsCountedWithItsReason() throws Exception {
		startRegisteredTunnel();
		this.edge.agentMessages.clear();
		this.tunnel.reconnect();
		ControlMessage register = this.edge.agentMessages.poll(10, TimeUnit.SECONDS);
		assertThat(register.type()).isEqualTo(ControlMessage.REGISTER);
		assertThat(this.observer.reconnects.poll(5, TimeUnit.SECONDS)).isEqualTo(ReconnectReason.REQUESTED);
		assertThat(this.tunnel.statistics().reconnects(ReconnectReason.REQUESTED)).isEqualTo(1);
	}

	@Test
	void tellsTheEdgeWhenTheApplicationRefusesAndAcceptsTrafficWithoutClosingConnections() throws Exception {
		startRegisteredTunnel();
		ControlMessage register = this.edge.agentMessages.poll(5, TimeUnit.SECONDS);
		assertThat(register.get(ControlMessage.READY_ATTRIBUTE)).isEqualTo("true");
		var since = this.tunnel.connections().get(0).since();
		this.tunnel.acceptTraffic(false);
		assertThat(this.tunnel.isAcceptingTraffic()).isFalse();
		assertThat(this.edge.agentMessages.poll(5, TimeUnit.SECONDS).type()).isEqualTo(ControlMessage.NOT_READY);
		this.tunnel.acceptTraffic(false);
		this.tunnel.acceptTraffic(true);
		assertThat(this.edge.agentMessages.poll(5, TimeUnit.SECONDS).type()).isEqualTo(ControlMessage.READY);
		assertThat(this.edge.agentMessages.poll(200, TimeUnit.MILLISECONDS)).isNull();
		assertThat(this.tunnel.connections()).singleElement().satisfies((connection) -> {
			assertThat(connection.state()).isEqualTo(ConnectionState.REGISTERED);
			assertThat(connection.since()).isEqualTo(since);
		});
		assertThat(this.tunnel.statistics().reconnects()).isZero();
	}

	@Test
	void connectionThatRegistersWhileTheApplicationRefusesTrafficSaysSo() throws Exception {
		startRegisteredTunnel();
		this.edge.agentMessages.poll(5, TimeUnit.SECONDS);
		this.tunnel.acceptTraffic(false);
		assertThat(this.edge.agentMessages.poll(5, TimeUnit.SECONDS).type()).isEqualTo(ControlMessage.NOT_READY);
		this.edge.dropTunnel();
		ControlMessage again = this.edge.agentMessages.poll(10, TimeUnit.SECONDS);
		assertThat(again.type()).isEqualTo(ControlMessage.REGISTER);
		assertThat(again.get(ControlMessage.READY_ATTRIBUTE)).isEqualTo("false");
		assertThat(this.edge.agentMessages.poll(200, TimeUnit.MILLISECONDS)).isNull();
	}

	private static Http2Headers get(String path) {
		return new DefaultHttp2Headers().method("GET").path(path).scheme("http").authority("shop.example.test");
	}

	private static final class RecordingObserver implements TunnelObserver {

		final BlockingQueue<TunnelRequest> requests = new LinkedBlockingQueue<>();

		final BlockingQueue<ReconnectReason> reconnects = new LinkedBlockingQueue<>();

		@Override
		public void requestCompleted(TunnelRequest request) {
			this.requests.add(request);
		}

		@Override
		public void reconnecting(int connection, ReconnectReason reason) {
			this.reconnects.add(reason);
		}

	}

}
