package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.warp.edge.EdgeNode;
import dev.warp.sample.tunnel.HttpProbeConfiguration.HttpProbes;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streaming through the tunnel: a response is flushed to the visitor as the application
 * produces it, and a visitor that leaves cancels the application's work.
 */
class TunnelStreamingTests {

	static final String HOST = "stream.warp.test";

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
