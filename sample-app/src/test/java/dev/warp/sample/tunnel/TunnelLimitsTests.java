package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.warp.edge.EdgeNode;
import dev.warp.sample.tunnel.HttpProbeConfiguration.HttpProbes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge's timeouts and limits end to end: time to the first response byte, an idle stream,
 * and the largest request body, each ending the application's work as well as the visitor's
 * request.
 */
class TunnelLimitsTests {

	static final String HOST = "limits.warp.test";

	static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(2);

	static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);

	static final long MAX_BODY = 1024 * 1024;

	@TempDir
	static Path dir;

	static EdgeNode edge;

	static ConfigurableApplicationContext app;

	static HttpProbes probes;

	@BeforeAll
	static void start() {
		edge = TunnelTestSupport.startEdge(dir.resolve("edge"), (settings) -> settings.responseTimeout(RESPONSE_TIMEOUT)
			.idleTimeout(IDLE_TIMEOUT)
			.maxRequestBody(MAX_BODY));
		app = TunnelTestSupport.startAppWith(List.of(HttpProbeConfiguration.class), edge, HOST);
		probes = app.getBean(HttpProbes.class);
		// A cold application can take longer than the short test timeouts for its first requests.
		for (int i = 0; i < 3; i++) {
			visitor().post().uri("/http/count").send(Flux.just(Unpooled.wrappedBuffer(new byte[64 * 1024])))
				.responseSingle((response, body) -> body.asString())
				.block(Duration.ofSeconds(30));
		}
		probes.counted.set(0);
	}

	@AfterAll
	static void stop() {
		TunnelTestSupport.close(app, edge);
	}

	private static HttpClient visitor() {
		return TunnelTestSupport.visitorHttpClient(edge, 4).headers((headers) -> headers.set(HttpHeaderNames.HOST, HOST));
	}

	@Test
	void noResponseHeadersWithinTheResponseTimeoutIs504() {
		long started = System.nanoTime();
		String answer = visitor().get()
			.uri("/slow?ms=" + RESPONSE_TIMEOUT.multipliedBy(5).toMillis())
			.responseSingle((response, body) -> body.asString().map((text) -> response.status().code() + " " + text))
			.block(Duration.ofSeconds(30));
		assertThat(answer).startsWith("504 Origin timed out");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(RESPONSE_TIMEOUT)
			.isLessThan(RESPONSE_TIMEOUT.multipliedBy(5));
	}

	@Test
	void streamIdleLongerThanTheIdleTimeoutIsCutAndTheApplicationsWorkCancelled() throws Exception {
		// The first event, then nothing: the gate stays closed in this application.
		StringBuilder received = new StringBuilder();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		long started = System.nanoTime();
		visitor().get()
			.uri("/http/gated-events")
			.responseContent()
			.asString()
			.doOnNext(received::append)
			.onErrorResume((error) -> {
				failure.set(error);
				return Flux.empty();
			})
			.blockLast(Duration.ofSeconds(30));
		Duration held = Duration.ofNanos(System.nanoTime() - started);
		assertThat(received.toString()).contains("data:first").doesNotContain("data:second");
		assertThat(failure.get()).as("the visitor sees a truncated response, not a complete one").isNotNull();
		assertThat(held).isGreaterThanOrEqualTo(IDLE_TIMEOUT).isLessThan(IDLE_TIMEOUT.multipliedBy(10));
	}

	@Test
	void declaredBodyOverTheLimitIs413WithoutReachingTheApplication() {
		long before = probes.counted.get();
		int status = visitor().headers((headers) -> headers.set(HttpHeaderNames.CONTENT_LENGTH, MAX_BODY + 1))
			.post()
			.uri("/http/count")
			.send(Flux.just(Unpooled.wrappedBuffer(new byte[(int) MAX_BODY + 1])))
			.responseSingle((response, body) -> body.then().thenReturn(response.status().code()))
			.onErrorResume((error) -> reactor.core.publisher.Mono.just(-1))
			.block(Duration.ofSeconds(30));
		assertThat(status).isEqualTo(413);
		assertThat(probes.counted.get()).isEqualTo(before);
	}

	@Test
	void streamedBodyGrowingPastTheLimitIs413AndTheApplicationSeesItCut() throws Exception {
		Flux<ByteBuf> body = Flux.range(0, (int) (4 * MAX_BODY / 16384)).map((i) -> Unpooled.wrappedBuffer(new byte[16384]));
		int status = visitor().post()
			.uri("/http/count")
			.send(body)
			.responseSingle((response, content) -> content.then().thenReturn(response.status().code()))
			.block(Duration.ofSeconds(30));
		assertThat(status).isEqualTo(413);
		String cut = probes.countCut.get(10, TimeUnit.SECONDS);
		assertThat(cut).as("how the application's read of the body ended").isNotBlank();
		assertThat(probes.counted.get()).isLessThanOrEqualTo(MAX_BODY);
	}

}
