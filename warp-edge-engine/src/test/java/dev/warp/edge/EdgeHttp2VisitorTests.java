package dev.warp.edge;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HTTP/2 visitors (h2c with prior knowledge): many requests side by side on one connection, each
 * stream with its own body, response, flow control both ways, and end.
 */
class EdgeHttp2VisitorTests {

	private static final String HOST = "shop.example.test";

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private TestAgent agent;

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).responseTimeout(Duration.ofSeconds(2)).build());
		this.agent = TestAgent.connectRouted(this.edge, HOST);
	}

	@AfterEach
	void stop() {
		this.agent.close();
		this.edge.close();
	}

	@Test
	void concurrentStreamsOfOneConnectionEachGetTheirOwnResponse() {
		HttpClient client = Visitor.h2c(this.edge, HOST);
		List<String> bodies = Flux.range(0, 200)
			.flatMap((i) -> client.get()
				.uri("/headers?i=" + i)
				.responseSingle((response, body) -> body.asString())
				.map((body) -> i + " " + body), 200)
			.collectList()
			.block(Visitor.TIMEOUT);
		assertThat(bodies).hasSize(200)
			.allSatisfy((entry) -> assertThat(entry).contains(":path: /headers?i=" + entry.substring(0, entry.indexOf(' ')) + "\n"));
	}

	@Test
	void everyVisitorConnectionIsAnsweredPromptlyWhicheverLoopItIsOn() {
		// Visitor connections take the edge's loops in turn; the tunnel connection is on one of them.
		for (int i = 0; i < 8; i++) {
			Visitor.Response response = Visitor.response(Visitor.h2c(this.edge, HOST).get().uri("/hello"),
					Duration.ofSeconds(2));
			assertThat(response.body()).isEqualTo("hello");
		}
	}

	@Test
	void visitorResettingAStreamResetsItsTunnelStreamAndKeepsTheConnection() throws Exception {
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort())) {
			visitor.headers(1, RawHttp2Visitor.get(HOST, "/never"), true);
			visitor.flush();
			await().atMost(Duration.ofSeconds(5)).until(() -> this.agent.requests.contains("/never"));
			visitor.reset(1, Http2Error.CANCEL.code());
			visitor.flush();
			assertThat(this.agent.resets.poll(5, TimeUnit.SECONDS)).isEqualTo("/never CANCEL");
			visitor.headers(3, RawHttp2Visitor.get(HOST, "/hello"), true);
			visitor.flush();
			assertThat(visitor.nextOf(3).type()).isEqualTo(RawHttp2Visitor.HEADERS);
			await().atMost(Duration.ofSeconds(2))
				.until(() -> this.edge.routeTable().pool(HOST).connections().get(0).activeStreams() == 0);
		}
	}

	@Test
	void responseTimeoutIs504OnItsStreamOnly() throws Exception {
		HttpClient client = Visitor.h2c(this.edge, HOST);
		Visitor.Response timedOut = Visitor.get(client, "/never");
		assertThat(timedOut.status()).isEqualTo(504);
		assertThat(timedOut.body()).startsWith("Origin timed out: no response within 2 s (Warp-Ray: " + timedOut.ray() + ")");
		assertThat(Visitor.get(client, "/hello").body()).isEqualTo("hello");
	}

	@Test
	void slowVisitorStallsTheAgentThroughItsStreamWindow() {
		// The visitor's stream window, the tunnel stream's window and a few chunks in flight.
		Visitor.assertSlowReaderStallsTheAgent(Visitor.h2c(this.edge, HOST), this.agent, 64L * 1024 * 1024,
				8L * 1024 * 1024);
	}

	@Test
	void agentsTrailersEndTheResponse() {
		HttpHeaders trailers = Visitor.h2c(this.edge, HOST)
			.get()
			.uri("/trailers")
			.responseSingle((response, body) -> body.asString().then(response.trailerHeaders()))
			.block(Visitor.TIMEOUT);
		assertThat(trailers.get("x-checksum")).isEqualTo("abc");
	}

	@Test
	void responseHeaderWithALineBreakIs502() {
		Visitor.Response response = Visitor.get(Visitor.h2c(this.edge, HOST), "/bad-header");
		assertThat(response.status()).isEqualTo(502);
		assertThat(response.headers().contains("x-injected")).isFalse();
		assertThat(response.body()).startsWith("Origin failed: the agent sent an invalid response header");
	}

	@Test
	void headResponseKeepsTheAgentsContentLengthAndHasNoBody() {
		Visitor.Response response = Visitor.response(Visitor.h2c(this.edge, HOST).head().uri("/hello"), Visitor.TIMEOUT);
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.headers().get("content-length")).isEqualTo("5");
		assertThat(response.body()).isEmpty();
	}

	@Test
	void bodyBytesGoBackToTheVisitorsWindowOnceForwardedWhileItsRequestGoesOn() throws Exception {
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort())) {
			visitor.headers(1, post("/never", 60_000), false);
			for (int i = 0; i < 3; i++) {
				visitor.data(1, new byte[16_000], false);
			}
			visitor.flush();
			// More than half the connection's window (64 KiB) was used: its WINDOW_UPDATE is due
			// although the request is still open, or the connection's other streams would stall.
			RawHttp2Visitor.Frame frame;
			do {
				frame = visitor.nextOf(0);
			}
			while (frame.type() != RawHttp2Visitor.WINDOW_UPDATE);
		}
	}

	@Test
	void bodiesOfDeclaredLengthReachTheAppWholeOneAfterAnotherOnOneConnection() {
		// Each nearly a flow-control window (64 KiB). That bytes go back to the window while a
		// request is still open is bodyBytesGoBackToTheVisitorsWindowOnceForwarded...: a stream
		// that ends returns its bytes by itself.
		HttpClient client = Visitor.h2c(this.edge, HOST);
		for (int i = 0; i < 4; i++) {
			byte[] body = new byte[60_000];
			Arrays.fill(body, (byte) ('a' + i));
			String echoed = client.headers((headers) -> headers.set(HttpHeaderNames.CONTENT_LENGTH, body.length))
				.post()
				.uri("/echo")
				.send(Mono.just(Unpooled.wrappedBuffer(body)))
				.responseSingle((r, content) -> content.asString())
				.block(Duration.ofSeconds(5));
			assertThat(echoed).isEqualTo(new String(body, StandardCharsets.US_ASCII));
		}
	}

	@Test
	void bodyThatArrivesInPartsReachesTheAppWhole() throws Exception {
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort())) {
			visitor.headers(1, post("/echo", 5), false);
			visitor.data(1, "hel".getBytes(StandardCharsets.US_ASCII), false);
			visitor.flush();
			Thread.sleep(100);
			visitor.data(1, "lo".getBytes(StandardCharsets.US_ASCII), true);
			visitor.flush();
			assertThat(bodyOf(visitor, 1)).isEqualTo("hello");
		}
	}

	@Test
	void responseBeforeTheBodyEndedLeavesTheConnectionServing() throws Exception {
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort())) {
			visitor.headers(1, post("/hello", 10), false);
			visitor.data(1, "first".getBytes(StandardCharsets.US_ASCII), false);
			visitor.flush();
			assertThat(bodyOf(visitor, 1)).isEqualTo("hello");
			visitor.data(1, "after".getBytes(StandardCharsets.US_ASCII), true);
			visitor.headers(3, RawHttp2Visitor.get(HOST, "/hello"), true);
			visitor.flush();
			assertThat(bodyOf(visitor, 3)).isEqualTo("hello");
		}
	}

	@Test
	void requestWithABodyReachesTheApp() {
		String echoed = Visitor.h2c(this.edge, HOST)
			.post()
			.uri("/echo")
			.send(Flux.just("a", "b").map((text) -> (ByteBuf) Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)))
			.responseSingle((r, body) -> body.asString())
			.block(Visitor.TIMEOUT);
		assertThat(echoed).isEqualTo("ab");
	}

	private static Http2Headers post(String path, int contentLength) {
		return new DefaultHttp2Headers().method("POST")
			.scheme("http")
			.authority(HOST)
			.path(path)
			.setInt(HttpHeaderNames.CONTENT_LENGTH, contentLength);
	}

	/** The body of a stream's response, read up to its end. */
	private static String bodyOf(RawHttp2Visitor visitor, int streamId) throws InterruptedException {
		StringBuilder body = new StringBuilder();
		while (true) {
			RawHttp2Visitor.Frame frame = visitor.nextOf(streamId);
			assertThat(frame.type()).isNotEqualTo(RawHttp2Visitor.RST_STREAM);
			if (frame.type() == RawHttp2Visitor.DATA) {
				body.append(new String(frame.payload(), StandardCharsets.UTF_8));
			}
			if ((frame.flags() & 0x1) != 0) {
				return body.toString();
			}
		}
	}

}
