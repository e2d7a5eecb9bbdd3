package dev.warp.sample;

import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks every endpoint of the sample over a real socket, without the tunnel (off in tests unless
 * a test asks for it): these are the behaviours that the end-to-end tests then expect to see
 * through the edge.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class SampleEndpointsTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@Autowired
	private WebTestClient webTestClient;

	@Autowired
	private SampleProperties properties;

	@LocalServerPort
	private int port;

	@Test
	void helloAnswersHelloAsText() {
		this.webTestClient.get()
			.uri("/hello")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
			.expectBody(String.class)
			.isEqualTo("hello");
	}

	@Test
	void infoReportsInstanceIdRemoteAddressUriAndForwardedHeaders() throws Exception {
		Map<String, Object> info = this.webTestClient.get()
			.uri("/api/info")
			.header("Warp-Ray", "ray-1234")
			.header("X-Forwarded-Proto", "https")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
		assertThat(info).containsEntry("instanceId", this.properties.getInstanceId())
			.containsEntry("scheme", "http")
			.containsKey("host");
		assertThat(this.properties.getInstanceId()).isNotBlank();
		assertThat(InetAddress.getByName((String) info.get("remoteAddress")).isLoopbackAddress()).isTrue();
		assertThat(info.get("headers")).asInstanceOf(InstanceOfAssertFactories.MAP)
			.containsEntry("Warp-Ray", "ray-1234")
			.containsEntry("X-Forwarded-Proto", "https")
			.containsEntry("X-Forwarded-For", null)
			.containsEntry("X-Forwarded-Host", null)
			.containsEntry("X-Forwarded-Port", null)
			.containsEntry("Warp-Connecting-IP", null)
			.hasSize(6);
	}

	@Test
	void echoReturnsTheBodyWithTheSameContentType() {
		String body = "{\"greeting\":\"héllo\"}".repeat(10_000);
		this.webTestClient.post()
			.uri("/echo")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectBody(String.class)
			.isEqualTo(body);
	}

	@Test
	void eventsSendsTenServerSentEventsOverTimeThenCompletes() {
		long start = System.nanoTime();
		FluxExchangeResult<ServerSentEvent<String>> result = this.webTestClient.get()
			.uri("/events")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
			.returnResult(new ParameterizedTypeReference<>() {
			});
		List<String> data = result.getResponseBody().map(ServerSentEvent::data).collectList().block(TIMEOUT);
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		assertThat(data).containsExactly("event 1", "event 2", "event 3", "event 4", "event 5", "event 6", "event 7",
				"event 8", "event 9", "event 10");
		assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(1800));
	}

	@Test
	void downloadStreamsExactlyTheRequestedNumberOfBytes() {
		long size = 5L * 1024 * 1024 + 123;
		FluxExchangeResult<DataBuffer> result = this.webTestClient.get()
			.uri("/download?size={size}", size)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.expectHeader()
			.contentLength(size)
			.returnResult(DataBuffer.class);
		// Count as the chunks arrive rather than collecting the body.
		AtomicLong received = new AtomicLong();
		result.getResponseBody().doOnNext((buffer) -> {
			received.addAndGet(buffer.readableByteCount());
			DataBufferUtils.release(buffer);
		}).blockLast(TIMEOUT);
		assertThat(received).hasValue(size);
	}

	@Test
	void downloadRejectsNegativeAndAbsurdSizes() {
		this.webTestClient.get().uri("/download?size=-1").exchange().expectStatus().isBadRequest();
		this.webTestClient.get()
			.uri("/download?size={size}", DownloadController.MAX_SIZE + 1)
			.exchange()
			.expectStatus()
			.isBadRequest();
	}

	@Test
	void slowAnswersOkAfterTheDelay() {
		long start = System.nanoTime();
		this.webTestClient.get()
			.uri("/slow?ms=300")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.isEqualTo("ok");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	@Test
	void slowRejectsDelaysOutOfBounds() {
		this.webTestClient.get().uri("/slow?ms=-1").exchange().expectStatus().isBadRequest();
		this.webTestClient.get().uri("/slow?ms=600001").exchange().expectStatus().isBadRequest();
	}

	@Test
	void failIsTurnedIntoTeapotByTheExceptionHandler() {
		this.webTestClient.get()
			.uri("/fail")
			.exchange()
			.expectStatus()
			.isEqualTo(418)
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
			.expectBody()
			.jsonPath("$.error")
			.isEqualTo("this endpoint always fails")
			.jsonPath("$.path")
			.isEqualTo("/fail");
	}

	@Test
	void filterStampsInstanceIdOnEveryResponse() {
		String instanceId = this.properties.getInstanceId();
		this.webTestClient.get()
			.uri("/hello")
			.exchange()
			.expectHeader()
			.valueEquals(InstanceIdHeaderFilter.HEADER, instanceId);
		this.webTestClient.get()
			.uri("/fail")
			.exchange()
			.expectStatus()
			.isEqualTo(418)
			.expectHeader()
			.valueEquals(InstanceIdHeaderFilter.HEADER, instanceId);
		this.webTestClient.get()
			.uri("/no-such-page")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.valueEquals(InstanceIdHeaderFilter.HEADER, instanceId);
	}

	@Test
	void webSocketEchoesTextAndBinaryMessages() {
		byte[] binary = { 0, 1, 2, (byte) 0xfe, (byte) 0xff };
		URI uri = URI.create("ws://127.0.0.1:" + this.port + "/ws/echo");
		AtomicReference<List<String>> received = new AtomicReference<>();
		new ReactorNettyWebSocketClient().execute(uri, (session) -> {
			Flux<WebSocketMessage> outbound = Flux.just(session.textMessage("hello, socket"),
					session.binaryMessage((factory) -> factory.wrap(binary)));
			Mono<List<String>> inbound = session.receive().take(2).map(SampleEndpointsTests::describe).collectList();
			return session.send(outbound).then(inbound).doOnNext(received::set).then();
		}).block(TIMEOUT);
		assertThat(received.get()).containsExactly("TEXT hello, socket", "BINARY 000102feff");
	}

	@Test
	void actuatorHealthIsExposed() {
		this.webTestClient.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP");
	}

	/**
	 * Describes a received WebSocket message, reading its payload before the client
	 * releases it.
	 */
	private static String describe(WebSocketMessage message) {
		byte[] payload = new byte[message.getPayload().readableByteCount()];
		message.getPayload().read(payload);
		String content = (message.getType() == WebSocketMessage.Type.TEXT) ? new String(payload, StandardCharsets.UTF_8)
				: HexFormat.of().formatHex(payload);
		return message.getType() + " " + content;
	}

}
