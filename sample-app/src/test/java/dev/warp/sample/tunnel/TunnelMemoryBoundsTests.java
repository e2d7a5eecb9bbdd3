package dev.warp.sample.tunnel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bodies far larger than the heaps of the edge and the application pass through the tunnel:
 * proof that nothing on the path aggregates a body. Both run in their own JVM with the heap and
 * direct memory capped, and die on an OutOfMemoryError.
 */
class TunnelMemoryBoundsTests {

	static final String HOST = "big.warp.test";

	static final long SIZE = 256L * 1024 * 1024;

	static final int CHUNK = 64 * 1024;

	static final List<String> CAPPED = List.of("-Xmx96m", "-XX:MaxDirectMemorySize=64m", "-Xss512k");

	@TempDir
	static Path dir;

	static ForkedJvm edge;

	static ForkedJvm app;

	static HttpClient visitor;

	@BeforeAll
	static void start() throws Exception {
		int publicPort = ForkedJvm.freePort();
		int tunnelPort = ForkedJvm.freePort();
		int apiPort = ForkedJvm.freePort();
		Path data = dir.resolve("edge");
		edge = ForkedJvm.start(dir.resolve("edge.log"), CAPPED, "dev.warp.edge.app.WarpEdgeApplication",
				"--edge.node-id=edge-forked", "--edge.bind-address=127.0.0.1", "--edge.public.port=" + publicPort,
				"--edge.tunnel.port=" + tunnelPort, "--edge.api.port=" + apiPort, "--edge.provisioning.port=" + ForkedJvm.freePort(),
				"--edge.data-dir=" + data);
		whileAlive(() -> await().atMost(Duration.ofSeconds(60))
			.failFast(() -> !edge.isAlive())
			.until(() -> Files.exists(data.resolve("ca.pem"))));
		app = ForkedJvm.start(dir.resolve("app.log"), CAPPED, "dev.warp.sample.SampleApplication", "--server.port=0",
				"--warp.hostname=" + HOST, "--warp.edge.addresses=127.0.0.1:" + tunnelPort,
				"--warp.edge.ca-certificate=" + data.resolve("ca.pem"),
				"--warp.credentials-dir=" + TunnelTestSupport.originCredentials(data.resolve("ca.pem"), HOST),
				"--warp.connections=1",
				"--warp.reconnect.initial-delay=200ms", "--warp.reconnect.max-delay=1s",
				// The test-only endpoints, among them POST /http/count.
				"--spring.main.sources=" + HttpProbeConfiguration.class.getName());
		visitor = HttpClient.create()
			.baseUrl("http://127.0.0.1:" + publicPort)
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, HOST))
			.responseTimeout(Duration.ofSeconds(60));
		whileAlive(() -> await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
			.failFast(() -> !edge.isAlive() || !app.isAlive())
			.until(() -> visitor.get().uri("/hello").responseSingle((response, body) -> body.asString()
				.map((text) -> response.status().code() == 200 && text.equals("hello"))
				.defaultIfEmpty(false)).onErrorReturn(false).block(Duration.ofSeconds(5))));
	}

	/** Runs a wait for the processes; should one of them die meanwhile, fails with what it printed. */
	private static void whileAlive(Runnable wait) {
		try {
			wait.run();
		}
		catch (TerminalFailureException ex) {
			throw new AssertionError("A forked process died during startup" + outputIfDead("edge", edge)
					+ outputIfDead("app", app), ex);
		}
	}

	private static String outputIfDead(String name, ForkedJvm process) {
		return (process != null && !process.isAlive()) ? "\n--- " + name + " output:\n" + process.output() : "";
	}

	@AfterAll
	static void stop() throws Exception {
		TunnelTestSupport.close(app, edge);
	}

	@Test
	void responseBodyOfQuarterGigabyteStreamsThroughCappedHeaps() {
		AtomicLong received = new AtomicLong();
		int status = visitor.get()
			.uri("/download?size=" + SIZE)
			.responseConnection((response, connection) -> connection.inbound()
				.receive()
				.doOnNext((buffer) -> received.addAndGet(buffer.readableBytes()))
				.then()
				.thenReturn(response.status().code()))
			.blockLast(Duration.ofMinutes(3));
		assertThat(status).isEqualTo(200);
		assertThat(received.get()).isEqualTo(SIZE);
		assertAlive();
	}

	@Test
	void requestBodyOfQuarterGigabyteStreamsThroughCappedHeapsAndBack() {
		CRC32 sent = new CRC32();
		CRC32 echoed = new CRC32();
		AtomicLong received = new AtomicLong();
		Flux<ByteBuf> body = Flux.range(0, (int) (SIZE / CHUNK)).map((i) -> {
			byte[] chunk = new byte[CHUNK];
			for (int j = 0; j < CHUNK; j += 997) {
				chunk[j] = (byte) (i + j);
			}
			sent.update(chunk);
			return Unpooled.wrappedBuffer(chunk);
		});
		int status = visitor.headers((headers) -> headers.set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream"))
			.post()
			.uri("/echo")
			.send(body)
			.responseConnection((response, connection) -> connection.inbound().receive().doOnNext((buffer) -> {
				byte[] bytes = new byte[buffer.readableBytes()];
				buffer.readBytes(bytes);
				echoed.update(bytes);
				received.addAndGet(bytes.length);
			}).then().thenReturn(response.status().code()))
			.blockLast(Duration.ofMinutes(3));
		assertThat(status).isEqualTo(200);
		assertThat(received.get()).isEqualTo(SIZE);
		assertThat(echoed.getValue()).isEqualTo(sent.getValue());
		assertAlive();
	}

	@Test
	void uploadOfTwoGigabytesStreamsThroughCappedHeapsWithNoLimitByDefault() {
		assertUploadOfTwoGigabytesPasses(false);
	}

	@Test
	void uploadOfTwoGigabytesOfADeclaredLengthStreamsThroughCappedHeaps() {
		// The edge's short path, which pauses reading the visitor while the tunnel is behind.
		assertUploadOfTwoGigabytesPasses(true);
	}

	private static void assertUploadOfTwoGigabytesPasses(boolean declaredLength) {
		long size = 2L * 1024 * 1024 * 1024;
		byte[] chunk = new byte[CHUNK];
		for (int j = 0; j < CHUNK; j += 997) {
			chunk[j] = (byte) j;
		}
		// One array for every chunk: the test's own heap stays small too.
		Flux<ByteBuf> body = Flux.range(0, (int) (size / CHUNK)).map((i) -> Unpooled.wrappedBuffer(chunk));
		// The app counts the bytes of every upload it was sent: what this one adds is its own.
		long before = count(Flux.empty(), false, 0);
		assertThat(count(body, declaredLength, size)).isEqualTo(before + size);
		assertAlive();
	}

	/** POSTs the body to the app's byte counter; returns the counter after it, once answered 200. */
	private static long count(Flux<ByteBuf> body, boolean declaredLength, long size) {
		String counted = visitor.headers((headers) -> {
				headers.set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
				if (declaredLength) {
					headers.set(HttpHeaderNames.CONTENT_LENGTH, size);
				}
			})
			.post()
			.uri("/http/count")
			.send(body)
			.responseSingle((response, content) -> content.asString().map((text) -> response.status().code() + " " + text))
			.block(Duration.ofMinutes(5));
		assertThat(counted).startsWith("200 ");
		return Long.parseLong(counted.substring(4));
	}

	private static void assertAlive() {
		assertThat(edge.isAlive()).as("edge survived; its output:%n%s", edge.output()).isTrue();
		assertThat(app.isAlive()).as("app survived; its output:%n%s", app.output()).isTrue();
	}

}
