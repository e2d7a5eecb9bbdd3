package dev.warp.agent;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.warp.core.protocol.ControlMessage;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agent against a minimal edge over real TLS on loopback: registration, requests served by
 * the HttpHandler, the visitor's address, reconnect.
 */
class WarpTunnelTests {

	@TempDir
	Path dir;

	private TestEdge edge;

	private WarpTunnel tunnel;

	private final HttpHandler handler = (request, response) -> {
		String path = request.getURI().getRawPath();
		if (path.equals("/echo")) {
			response.getHeaders().set("seen-remote", String.valueOf(request.getRemoteAddress().getAddress().getHostAddress()));
			response.getHeaders().set("seen-scheme", request.getURI().getScheme());
			return response.writeWith(request.getBody());
		}
		if (path.equals("/hello")) {
			DataBuffer buffer = response.bufferFactory().wrap("hello".getBytes(StandardCharsets.UTF_8));
			return response.writeWith(Mono.just(buffer));
		}
		response.setStatusCode(HttpStatus.NOT_FOUND);
		return response.setComplete();
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

	private WarpTunnel startTunnel(String host) {
		this.tunnel = new WarpTunnel(TunnelSettings.builder("shop.example.test")
			.edgeAddresses(List.of(new EdgeAddress(host, this.edge.port())))
			.caCertificate(this.edge.caFile)
				.credentialsDir(this.edge.credentialsDir)
			.connections(1)
			.backoff(Duration.ofMillis(50), Duration.ofMillis(200))
			.agentId("agent-1")
			.build(), this.handler);
		this.tunnel.start();
		return this.tunnel;
	}

	@Test
	void registersItsHostnameOnTheControlStream() throws Exception {
		startTunnel("127.0.0.1").registered().block(Duration.ofSeconds(10));
		ControlMessage register = this.edge.agentMessages.poll(5, TimeUnit.SECONDS);
		assertThat(register.type()).isEqualTo(ControlMessage.REGISTER);
		assertThat(register.get("hostname")).isEqualTo("shop.example.test");
		assertThat(register.get("agent")).isEqualTo("agent-1");
		assertThat(register.get("connection")).isEqualTo("0");
		assertThat(this.tunnel.connections()).singleElement().satisfies((connection) -> {
			assertThat(connection.state()).isEqualTo(ConnectionState.REGISTERED);
			assertThat(connection.edge()).isEqualTo("test-edge");
		});
	}

	@Test
	void servesStreamsWithTheApplicationsHandler() throws Exception {
		startTunnel("127.0.0.1").registered().block(Duration.ofSeconds(10));
		TestEdge.Response response = this.edge.request(get("/hello"), new byte[0]);
		assertThat(response.status()).isEqualTo("200");
		assertThat(response.body()).isEqualTo("hello");
	}

	@Test
	void requestSeesTheVisitorAddressAndSchemeTheEdgeForwarded() throws Exception {
		startTunnel("127.0.0.1").registered().block(Duration.ofSeconds(10));
		Http2Headers headers = new DefaultHttp2Headers().method("POST").path("/echo").scheme("http").authority("shop.example.test");
		headers.add("warp-connecting-ip", "203.0.113.9");
		headers.add("x-forwarded-proto", "http");
		TestEdge.Response response = this.edge.request(headers, "ping".getBytes(StandardCharsets.UTF_8));
		assertThat(response.body()).isEqualTo("ping");
		assertThat(response.headers().get("seen-remote").toString()).isEqualTo("203.0.113.9");
		assertThat(response.headers().get("seen-scheme").toString()).isEqualTo("http");
	}

	@Test
	void reconnectsAfterTheEdgeDropsTheConnection() throws Exception {
		startTunnel("127.0.0.1").registered().block(Duration.ofSeconds(10));
		this.edge.agentMessages.clear();
		var first = this.edge.tunnel.get();
		this.edge.dropTunnel();
		ControlMessage again = this.edge.agentMessages.poll(10, TimeUnit.SECONDS);
		assertThat(again).isNotNull();
		assertThat(again.type()).isEqualTo(ControlMessage.REGISTER);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.tunnel.registeredConnections()).isEqualTo(1));
		assertThat(first.isActive()).isFalse();
	}

	@Test
	void edgeCertificateNotValidForTheDialledNameIsRefusedWithAReason() throws Exception {
		TestEdge localhostOnly = new TestEdge(this.dir.resolve("localhost-only"), List.of("localhost"));
		try {
			this.tunnel = new WarpTunnel(TunnelSettings.builder("shop.example.test")
				.edgeAddresses(List.of(new EdgeAddress("127.0.0.1", localhostOnly.port())))
				.caCertificate(localhostOnly.caFile)
				.credentialsDir(localhostOnly.credentialsDir)
				.connections(1)
				.backoff(Duration.ofSeconds(5), Duration.ofSeconds(5))
				.build(), this.handler);
			this.tunnel.start();
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(this.tunnel.connections()).singleElement()
					.satisfies((c) -> assertThat(c.lastError()).contains("127.0.0.1").contains("is not valid for '127.0.0.1'")));
			assertThat(localhostOnly.tunnel).isNotDone();
		}
		finally {
			localhostOnly.close();
		}
	}

	@Test
	void edgeSignedByAnotherCaIsRefusedNamingTheCaSetting() throws Exception {
		TestEdge other = new TestEdge(this.dir.resolve("other"), List.of("127.0.0.1"));
		try {
			this.tunnel = new WarpTunnel(TunnelSettings.builder("shop.example.test")
				.edgeAddresses(List.of(new EdgeAddress("127.0.0.1", other.port())))
				.caCertificate(this.edge.caFile)
				.credentialsDir(this.edge.credentialsDir)
				.connections(1)
				.backoff(Duration.ofSeconds(5), Duration.ofSeconds(5))
				.build(), this.handler);
			this.tunnel.start();
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(this.tunnel.connections()).singleElement()
					.satisfies((c) -> assertThat(c.lastError()).contains("is not signed by the CA in warp.edge.ca-certificate")
						.contains("set warp.edge.ca-certificate to the ca.pem in that edge's data directory")));
			assertThat(other.tunnel).isNotDone();
		}
		finally {
			other.close();
		}
	}

	@Test
	void closesAConnectionWhoseRegistrationTheEdgeNeverAcknowledges() {
		this.edge.acknowledgeRegistration(false);
		this.tunnel = new WarpTunnel(TunnelSettings.builder("shop.example.test")
			.edgeAddresses(List.of(new EdgeAddress("127.0.0.1", this.edge.port())))
			.caCertificate(this.edge.caFile)
				.credentialsDir(this.edge.credentialsDir)
			.connections(1)
			.registrationTimeout(Duration.ofMillis(300))
			.backoff(Duration.ofSeconds(5), Duration.ofSeconds(5))
			.build(), this.handler);
		this.tunnel.start();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.tunnel.connections()).singleElement()
				.satisfies((c) -> assertThat(c.lastError()).contains("did not complete the registration")));
	}

	@Test
	void registrationTheEdgeRefusesIsReportedWithTheEdgesReason() {
		this.edge.refuseRegistrations("shop.example.test is served by the agents of another account");
		startTunnel("127.0.0.1");
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.tunnel.connections()).singleElement()
				.satisfies((c) -> assertThat(c.lastError()).contains("refused to register shop.example.test")
					.contains("served by the agents of another account")));
	}

	@Test
	void measuresTheRoundTripTimeWithHeartbeats() {
		startTunnel("127.0.0.1").registered().block(Duration.ofSeconds(10));
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.tunnel.connections().get(0).rttMillis()).isGreaterThan(0));
	}

	@Test
	void connectionWhoseEdgeStopsAnsweringHeartbeatsIsDeclaredDead() {
		this.edge.answerPings(false);
		this.tunnel = new WarpTunnel(TunnelSettings.builder("shop.example.test")
			.edgeAddresses(List.of(new EdgeAddress("127.0.0.1", this.edge.port())))
			.caCertificate(this.edge.caFile)
				.credentialsDir(this.edge.credentialsDir)
			.connections(1)
			.heartbeat(Duration.ofMillis(100), 3)
			.backoff(Duration.ofSeconds(5), Duration.ofSeconds(5))
			.build(), this.handler);
		this.tunnel.start();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.tunnel.connections()).singleElement().satisfies((c) -> {
				assertThat(c.state()).isEqualTo(ConnectionState.BACKOFF);
				assertThat(c.lastError()).contains("3 heartbeats in a row went unanswered");
			}));
	}

	private static Http2Headers get(String path) {
		return new DefaultHttp2Headers().method("GET").path(path).scheme("http").authority("shop.example.test");
	}

}
