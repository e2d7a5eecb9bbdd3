package dev.warp.test;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application with a server port and no {@code warp.*} configuration, tested through the
 * embedded edge: plain requests, Server-Sent Events and WebSocket take the tunnel.
 */
@SpringBootTest(classes = EdgeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWarpEdge
class AutoConfigureWarpEdgeRandomPortTests {

	@Autowired
	private WarpTestEdge edge;

	@Test
	void aRequestIsServedThroughTheEdge() {
		this.edge.webTestClient()
			.get()
			.uri("/hello")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.exists("Warp-Ray")
			.expectBody(String.class)
			.isEqualTo("hello");
	}

	@Test
	void theEdgeServesAGeneratedHostnameOverTheApplicationsConnections() {
		assertThat(this.edge.hostname()).endsWith(".warp.test");
		assertThat(this.edge.baseUrl()).isEqualTo("http://127.0.0.1:" + this.edge.publicPort());
		assertThat(this.edge.connections()).isNotEmpty()
			.allSatisfy((connection) -> assertThat(connection.state()).isEqualTo("registered"));
	}

	@Test
	void serverSentEventsStreamThroughTheEdge() {
		List<String> events = this.edge.webTestClient()
			.get()
			.uri("/events")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(String.class)
			.getResponseBody()
			.collectList()
			.block(Duration.ofSeconds(30));
		assertThat(events).containsExactly("event-0", "event-1", "event-2");
	}

	@Test
	void aWebSocketIsServedThroughTheEdge() {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.HOST, this.edge.hostname());
		URI uri = URI.create(this.edge.baseUrl().replace("http:", "ws:") + "/ws/echo");
		List<String> replies = new java.util.concurrent.CopyOnWriteArrayList<>();
		new ReactorNettyWebSocketClient().execute(uri, headers,
				(session) -> session.send(Flux.just("one", "two").map(session::textMessage))
					.thenMany(session.receive().map((message) -> message.getPayloadAsText()).take(2))
					.doOnNext(replies::add)
					.then())
			.timeout(Duration.ofSeconds(30))
			.onErrorResume((ex) -> Mono.error(new AssertionError("WebSocket through the edge failed", ex)))
			.block();
		assertThat(replies).containsExactly("echo: one", "echo: two");
	}

}
