package dev.warp.sample.tunnel;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.warp.agent.WarpTunnel;
import dev.warp.edge.EdgeNode;
import dev.warp.sample.tunnel.HttpProbeConfiguration.HttpProbes;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Streaming through the tunnel: a response is flushed to the visitor as the application
 * produces it, a visitor that leaves cancels the application's work, and request bodies the
 * application leaves unread, or answers before reading, hold nothing beyond their own streams.
 */
class TunnelStreamingTests {

	static final String HOST = "stream.warp.test";

	static final String UNREAD_HOST = "unread.warp.test";

	@TempDir
	static Path dir;

	static EdgeNode edge;

	static ConfigurableApplicationContext app;

	static HttpProbes probes;

	@BeforeAll
	static void start() {
		edge = TunnelTestSupport.startEdge(dir.resolve("edge"));
		app = TunnelTestSupport.startAppWith(List.of(HttpProbeConfiguration.class), edge, HOST);
		probes = app.getBean(HttpProbes.class);
	}

	@AfterAll
	static void stop() {
		TunnelTestSupport.close(app, edge);
	}

	private static HttpClient visitor(HttpProtocol protocol) {
		return TunnelTestSupport.visitorHttpClient(edge, 4)
			.protocol(protocol)
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, HOST));
	}

	@Test
	void firstServerSentEventArrivesWhileTheApplicationStillHoldsTheResponseOpen() {
		AtomicLong firstArrived = new AtomicLong();
		String all = visitor(HttpProtocol.HTTP11).get()
			.uri("/http/gated-events")
			.responseContent()
			.asString()
			.doOnNext((chunk) -> {
				if (chunk.contains("data:first") && firstArrived.compareAndSet(0, System.nanoTime())) {
					// The application emits its second event only now: the first came through alone.
					probes.gate.tryEmitValue(true);
				}
			})
			.collectList()
			.map((chunks) -> String.join("", chunks))
			.block(Duration.ofSeconds(30));
		assertThat(firstArrived.get()).as("first event arrived before the response ended").isNotZero();
		assertThat(firstArrived.get()).isGreaterThanOrEqualTo(probes.firstEventEmittedNanos.get());
		assertThat(all).contains("data:first").contains("data:second");
	}

	@Test
	void visitorThatDisconnectsCancelsTheApplicationsFluxWithinASecond() throws Exception {
		assertVisitorLeavingCancelsTheApplicationWithinASecond(HttpProtocol.HTTP11);
	}

	@Test
	void http2VisitorThatResetsItsStreamCancelsTheApplicationsFluxWithinASecond() throws Exception {
		assertVisitorLeavingCancelsTheApplicationWithinASecond(HttpProtocol.H2C);
	}

	@Test
	void largeResponseHeadersOfTheApplicationReachTheVisitor() {
		String header = visitor(HttpProtocol.HTTP11).httpResponseDecoder((decoder) -> decoder.maxHeaderSize(64 * 1024))
			.get()
			.uri("/http/big-headers")
			.responseSingle((response, body) -> body.asString().thenReturn(response.responseHeaders().get("X-Big")))
			.block(Duration.ofSeconds(30));
		assertThat(header).hasSize(20_000);
	}

	@Test
	void uploadsTheApplicationLeavesUnreadHoldOnlyTheirOwnStreams() {
		// A tunnel of its own, with one connection that all of them share.
		ConfigurableApplicationContext unreading = TunnelTestSupport.startAppWith(List.of(HttpProbeConfiguration.class),
				edge, UNREAD_HOST);
		HttpProbes its = unreading.getBean(HttpProbes.class);
		HttpClient client = TunnelTestSupport.visitorHttpClient(edge, 64)
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, UNREAD_HOST));
		int uploads = 48;
		int chunk = 64 * 1024;
		long size = 4L * 1024 * 1024;
		AtomicLong sent = new AtomicLong();
		Disposable.Composite inFlight = Disposables.composite();
		try {
			for (int i = 0; i < uploads; i++) {
				inFlight.add(client.headers((headers) -> headers.set(HttpHeaderNames.CONTENT_LENGTH, size))
					.post()
					.uri("/http/unread")
					.send(Flux.range(0, (int) (size / chunk))
						.map((n) -> Unpooled.wrappedBuffer(new byte[chunk]))
						.doOnNext((buffer) -> sent.addAndGet(chunk)))
					.response()
					.subscribe((response) -> { }, (error) -> { }));
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> its.unread.get() == uploads);
			// Until the uploads stop moving, after more than 32 MiB went out: the connection window
			// that all of them held before, when every other request body on it then waited.
			long[] last = { -1 };
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
				long now = sent.get();
				boolean stalled = now > 32L * 1024 * 1024 && now - last[0] < 1024 * 1024;
				last[0] = now;
				return stalled;
			});
			String counted = client.post()
				.uri("/http/count")
				.send(ByteBufFlux.fromString(Mono.just("x".repeat(chunk))))
				.responseSingle((response, body) -> body.asString().map((text) -> response.status().code() + " " + text))
				.block(Duration.ofSeconds(5));
			assertThat(counted).isEqualTo("200 " + chunk);
		}
		finally {
			its.readNothingUntil.tryEmitValue(true);
			inFlight.dispose();
			unreading.close();
		}
	}

	@ParameterizedTest(name = "{0}, declared length {1}")
	@CsvSource({ "HTTP11, true", "HTTP11, false", "H2C, true", "H2C, false" })
	void uploadAnsweredBeforeTheApplicationReadItGetsTheWholeAnswerAndLeavesNoRequestInFlight(HttpProtocol protocol,
			boolean declaredLength) {
		probes.readNothingUntil.tryEmitValue(true);
		int size = 4 * 1024 * 1024;
		// An answer large enough to be still on its way to the visitor when the edge has all of it.
		int answerSize = 256 * 1024;
		String answer = visitor(protocol)
			.headers((headers) -> {
				if (declaredLength) {
					headers.set(HttpHeaderNames.CONTENT_LENGTH, size);
				}
			})
			.post()
			.uri("/http/unread?answer=" + answerSize)
			.send(Flux.range(0, size / 65536).map((n) -> Unpooled.wrappedBuffer(new byte[65536])))
			.responseSingle((response, body) -> body.asString().map((text) -> response.status().code() + " " + text.length()))
			.block(Duration.ofSeconds(30));
		assertThat(answer).isEqualTo("200 " + answerSize);
		// Neither end holds the exchange any longer: its stream closed.
		WarpTunnel tunnel = app.getBean(WarpTunnel.class);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(tunnel.connections()).allSatisfy((connection) -> assertThat(connection.activeStreams()).isZero());
			assertThat(edge.routeTable().pool(HOST).connections())
				.allSatisfy((connection) -> assertThat(connection.activeStreams()).isZero());
		});
	}

	@Test
	void visitorThatLeavesHalfwayThroughAnUploadCutsTheApplicationsReadAndLeavesNoRequestInFlight() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", edge.publicPort())) {
			socket.getOutputStream().write(("POST /http/count HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: "
					+ (4 * 1024 * 1024) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().write(new byte[1024 * 1024]);
			await().atMost(Duration.ofSeconds(10)).until(() -> probes.counted.get() >= 1024 * 1024);
		}
		assertThat(probes.countCut.get(5, TimeUnit.SECONDS)).as("how the application's read of the body ended").isNotBlank();
		WarpTunnel tunnel = app.getBean(WarpTunnel.class);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(tunnel.connections()).allSatisfy((connection) -> assertThat(connection.activeStreams()).isZero());
			assertThat(edge.routeTable().pool(HOST).connections())
				.allSatisfy((connection) -> assertThat(connection.activeStreams()).isZero());
		});
	}

	private static void assertVisitorLeavingCancelsTheApplicationWithinASecond(HttpProtocol protocol) throws Exception {
		probes.endlessCancelled.clear();
		AtomicLong left = new AtomicLong();
		String first = visitor(protocol).get()
			.uri("/http/endless")
			.responseContent()
			.asString()
			.take(1)
			// take(1) cancels the response: the client closes the connection (HTTP/1.1) or resets the stream (h2).
			// Before the completion goes downstream: doFinally would race blockLast's return.
			.doOnComplete(() -> left.set(System.nanoTime()))
			.blockLast(Duration.ofSeconds(30));
		assertThat(first).startsWith("chunk 0");
		Long cancelled = probes.endlessCancelled.poll(10, TimeUnit.SECONDS);
		assertThat(cancelled).as("the application's Flux was cancelled").isNotNull();
		assertThat(Duration.ofNanos(cancelled - left.get())).isLessThan(Duration.ofSeconds(1));
	}

}
