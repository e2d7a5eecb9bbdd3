package dev.warp.sample.tunnel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.warp.agent.WarpTunnel;
import dev.warp.edge.EdgeNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The walking tunnel, end to end: a visitor's HTTP client, the real edge, a real TLS tunnel
 * connection, and the sample application's own WebFlux chain, all on loopback.
 */
class TunnelEndToEndTests {

	static final String HOST = "hello.warp.test";

	@TempDir
	static Path dataDir;

	static EdgeNode edge;

	static ConfigurableApplicationContext app;

	static WebTestClient visitor;

	@BeforeAll
	static void start() {
		edge = TunnelTestSupport.startEdge(dataDir);
		app = TunnelTestSupport.startApp(edge, HOST);
		visitor = TunnelTestSupport.visitor(edge, HOST);
	}

	@AfterAll
	static void stop() {
		TunnelTestSupport.close(app, edge);
	}

	@Test
	void visitorsCancellingManyRequestsDoNotCloseTheTunnel() {
		WarpTunnel tunnel = app.getBean(WarpTunnel.class);
		long reconnects = tunnel.statistics().reconnects();
		// Each visitor that gives up makes the edge reset its stream on the tunnel: far more than
		// HTTP/2 rapid-reset limits allow by default, which must not close the connection.
		HttpClient impatient = TunnelTestSupport.visitorHttpClient(edge, 50)
			.headers((headers) -> headers.set("Host", HOST))
			.responseTimeout(Duration.ofMillis(50));
		Flux.range(0, 400)
			.flatMap((i) -> impatient.get().uri("/slow?ms=2000").response().onErrorResume((ex) -> Mono.empty()), 50)
			.blockLast(Duration.ofSeconds(60));
		visitor.get().uri("/hello").exchange().expectStatus().isOk();
		assertThat(tunnel.statistics().reconnects()).isEqualTo(reconnects);
		assertThat(tunnel.registeredConnections()).isEqualTo(1);
	}

	@Test
	void plainGetIsServedByTheApplication() {
		visitor.get().uri("/hello").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("hello");
	}

	@Test
	void applicationWebFilterSeesTunneledRequests() {
		visitor.get().uri("/hello").exchange().expectHeader().valueEquals("X-Sample-Filter", HOST);
	}

	@Test
	void applicationExceptionHandlerShapesTunneledErrors() {
		visitor.get()
			.uri("/fail")
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.I_AM_A_TEAPOT)
			.expectBody()
			.jsonPath("$.path")
			.isEqualTo("/fail");
	}

	@Test
	void statusCodesPassThrough() {
		for (int code : List.of(201, 404, 409, 500, 503)) {
			visitor.get().uri("/probe/status/" + code).exchange().expectStatus().isEqualTo(code)
				.expectBody(String.class).isEqualTo("status " + code);
		}
	}

	@Test
	void postBodyIsEchoedWithItsContentType() {
		visitor.post()
			.uri("/echo")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"greeting\":\"hi\"}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectBody(String.class)
			.isEqualTo("{\"greeting\":\"hi\"}");
	}

	@Test
	void jsonEndpointSeesTheVisitorAndTheForwardedHeaders() {
		EntityExchangeResult<Map<String, Object>> result = visitor.get()
			.uri("/api/info")
			.header("Warp-Connecting-IP", "198.51.100.66")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult();
		Map<String, Object> info = result.getResponseBody();
		@SuppressWarnings("unchecked")
		Map<String, String> headers = (Map<String, String>) info.get("headers");
		String ray = result.getResponseHeaders().getFirst("Warp-Ray");
		assertThat(info.get("remoteAddress")).isEqualTo(TunnelTestSupport.VISITOR_IP);
		assertThat(info.get("scheme")).isEqualTo("http");
		assertThat(headers.get("X-Forwarded-For")).isEqualTo(TunnelTestSupport.VISITOR_IP);
		assertThat(headers.get("X-Forwarded-Proto")).isEqualTo("http");
		assertThat(headers.get("X-Forwarded-Host")).isEqualTo(HOST);
		assertThat(headers.get("X-Forwarded-Port")).isEqualTo("80");
		assertThat(headers.get("Warp-Connecting-IP")).as("a visitor cannot forge it").isEqualTo(TunnelTestSupport.VISITOR_IP);
		assertThat(ray).isNotBlank().endsWith("-edge-test");
		assertThat(headers.get("Warp-Ray")).as("the ray the app saw is the one the visitor got").isEqualTo(ray);
	}

	@Test
	void everyRequestGetsItsOwnRay() {
		String first = visitor.get().uri("/hello").exchange().returnResult(String.class).getResponseHeaders().getFirst("Warp-Ray");
		String second = visitor.get().uri("/hello").exchange().returnResult(String.class).getResponseHeaders().getFirst("Warp-Ray");
		assertThat(first).isNotEqualTo(second);
	}

	@Test
	void percentEncodedPathAndQueryArriveByteExact() {
		String rawPath = "/probe/request";
		String rawQuery = "q=a%20b%2Bc&sym=%E2%9C%93&empty=&plus=a+b&slash=%2F";
		Map<String, Object> seen = probe(rawPath + "?" + rawQuery, Map.of());
		assertThat(seen.get("rawQuery")).isEqualTo(rawQuery);
		assertThat(seen.get("rawPath")).isEqualTo(rawPath);
	}

	@Test
	void repeatedHeadersAndCookiesArriveIntact() {
		String body = TunnelTestSupport.visitorHttpClient(edge, 4)
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, HOST)
				.add("X-Multi", "one")
				.add("X-Multi", "two")
				.add(HttpHeaderNames.COOKIE, "flavour=oat; size=large"))
			.get()
			.uri("/probe/request")
			.responseContent()
			.aggregate()
			.asString()
			.block(Duration.ofSeconds(10));
		assertThat(body).contains("\"x-multi\":[\"one\",\"two\"]").contains("\"flavour\":\"oat\"").contains("\"size\":\"large\"");
	}

	@Test
	void headRequestHasHeadersButNoBody() {
		visitor.head().uri("/hello").exchange().expectStatus().isOk().expectBody().isEmpty();
	}

	@Test
	void noContentResponseHasNoBody() {
		visitor.get().uri("/probe/no-content").exchange().expectStatus().isNoContent().expectBody().isEmpty();
	}

	@Test
	void notModifiedResponseHasNoBody() {
		visitor.get().uri("/probe/etag").exchange().expectStatus().isOk().expectHeader().valueEquals("ETag", "\"v1\"");
		visitor.get()
			.uri("/probe/etag")
			.header("If-None-Match", "\"v1\"")
			.exchange()
			.expectStatus()
			.isNotModified()
			.expectBody()
			.isEmpty();
	}

	@Test
	void serverSentEventsArriveAsEvents() {
		List<String> events = visitor.get()
			.uri("/events")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(String.class)
			.getResponseBody()
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(events).hasSize(10).startsWith("event 1").endsWith("event 10");
	}

	@Test
	void twoHundredConcurrentRequestsOverOneTunnelConnectionAreAllAnsweredCorrectly() {
		WarpTunnel tunnel = app.getBean(WarpTunnel.class);
		assertThat(tunnel.connections()).hasSize(1);
		AtomicInteger peakStreams = new AtomicInteger();
		Disposable sampler = Flux.interval(Duration.ofMillis(10))
			.subscribe((tick) -> peakStreams.accumulateAndGet(tunnel.connections().get(0).activeStreams(), Math::max));
		HttpClient client = TunnelTestSupport.visitorHttpClient(edge, 256)
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, HOST));
		try {
			List<String> answers = Flux.range(0, 200)
				.flatMap((i) -> client.post()
					.uri("/echo?after=" + i)
					.send((request, outbound) -> outbound.sendString(Mono.delay(Duration.ofMillis(300)).map((t) -> "request-" + i)))
					.responseSingle((response, body) -> body.asString().map((text) -> response.status().code() + " " + text)),
						200)
				.collectList()
				.block(Duration.ofSeconds(60));
			assertThat(answers).hasSize(200);
			for (int i = 0; i < 200; i++) {
				assertThat(answers).contains("200 request-" + i);
			}
		}
		finally {
			sampler.dispose();
		}
		assertThat(peakStreams.get()).as("requests in flight together on the one connection").isGreaterThan(100);
	}

	@Test
	void unknownHostnameGets503NamingTheCauseAndTheRay() {
		EntityExchangeResult<String> result = TunnelTestSupport.visitor(edge, "nobody.warp.test")
			.get()
			.uri("/hello")
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
			.expectBody(String.class)
			.returnResult();
		String ray = result.getResponseHeaders().getFirst("Warp-Ray");
		assertThat(ray).isNotBlank();
		assertThat(result.getResponseBody()).contains("nobody.warp.test").contains("tunnel").contains(ray);
	}

	@Test
	void applicationThatResetsTheStreamYields502AndTheEdgeKeepsServing() {
		EntityExchangeResult<String> result = visitor.get()
			.uri("/probe/reset")
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.BAD_GATEWAY)
			.expectBody(String.class)
			.returnResult();
		assertThat(result.getResponseBody()).contains(result.getResponseHeaders().getFirst("Warp-Ray"));
		plainGetIsServedByTheApplication();
	}

	@Test
	void stoppedApplicationLeavesTheRouteTableAndVisitorsGet503() {
		String host = "leaving.warp.test";
		ConfigurableApplicationContext leaving = TunnelTestSupport.startApp(edge, host);
		WebTestClient leavingVisitor = TunnelTestSupport.visitor(edge, host);
		leavingVisitor.get().uri("/hello").exchange().expectStatus().isOk();
		leaving.close();
		await().atMost(Duration.ofSeconds(1))
			.untilAsserted(() -> leavingVisitor.get().uri("/hello").exchange().expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE));
		plainGetIsServedByTheApplication();
	}

	private Map<String, Object> probe(String uri, Map<String, String> headers) {
		return visitor.get()
			.uri((builder) -> java.net.URI.create(uri))
			.headers((h) -> headers.forEach(h::add))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
	}

}
