package dev.warp.edge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import dev.warp.core.protocol.ControlMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Visitors' requests through an {@link EdgeNode} to a {@link TestAgent}, over real sockets.
 */
class EdgeProxyTests {

	private static final String HOST = "shop.example.test";

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private final List<TestAgent> agents = new ArrayList<>();

	@BeforeEach
	void startEdge() {
		this.edge = EdgeNode.start(settings().responseTimeout(Duration.ofSeconds(1)).build());
	}

	@AfterEach
	void stop() {
		this.agents.forEach(TestAgent::close);
		this.edge.close();
	}

	private EdgeSettings.Builder settings() {
		return TestEdges.onLoopback(this.dataDir);
	}

	private TestAgent agent(EdgeNode node, String hostname) throws Exception {
		TestAgent agent = TestAgent.connectRouted(node, hostname);
		this.agents.add(agent);
		return agent;
	}

	private TestAgent agent(String hostname) throws Exception {
		return agent(this.edge, hostname);
	}

	@Test
	void routesByHost() throws Exception {
		TestAgent a = agent("a.example.test");
		TestAgent b = agent("b.example.test");
		assertThat(Visitor.get(this.edge, "a.example.test", "/whoami").body()).isEqualTo(a.agentId);
		assertThat(Visitor.get(this.edge, "b.example.test:8080", "/whoami").body()).isEqualTo(b.agentId);
		assertThat(Visitor.get(this.edge, "A.Example.Test.", "/whoami").body()).isEqualTo(a.agentId);
		Visitor.Response hello = Visitor.get(this.edge, "a.example.test", "/hello");
		assertThat(hello.status()).isEqualTo(200);
		assertThat(hello.body()).isEqualTo("hello");
		assertThat(hello.headers().get("content-length")).isEqualTo("5");
		assertThat(hello.headers().get("content-type")).isEqualTo("text/plain");
	}

	@Test
	void roundRobinOverConnectionsOfOneHostname() throws Exception {
		TestAgent a = agent(HOST);
		TestAgent b = agent(HOST);
		Set<String> seen = new HashSet<>();
		for (int i = 0; i < 4; i++) {
			seen.add(Visitor.get(this.edge, HOST, "/whoami").body());
		}
		assertThat(seen).containsExactlyInAnyOrder(a.agentId, b.agentId);
	}

	@Test
	void unknownHostIs503NamingTheCauseAndTheRay() {
		Visitor.Response response = Visitor.get(this.edge, "nope.example.test", "/hello");
		assertThat(response.status()).isEqualTo(503);
		assertThat(response.ray()).matches("[0-9a-f]{16}-edge-test");
		assertThat(response.body())
			.isEqualTo("No healthy tunnel for hostname nope.example.test (Warp-Ray: " + response.ray() + ")\n");
	}

	@Test
	void missingHostIs400() throws Exception {
		String response = Visitor.raw(this.edge, "GET /hello HTTP/1.0\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.0 400").contains("Missing Host header (Warp-Ray: ");
	}

	@Test
	void forwardsHeadersAndStripsVisitorsWarpHeaders() throws Exception {
		agent(HOST);
		HttpClient client = Visitor.http(this.edge, HOST).headers((headers) -> headers.add("Warp-Connecting-IP", "6.6.6.6")
			.add("warp-control", "1")
			.add("Warp-Ray", "forged")
			.add("X-Forwarded-For", "10.0.0.1")
			.add("X-Forwarded-Proto", "https")
			.add("X-Custom", "one")
			.add("X-Custom", "two")
			.add("Connection", "keep-alive, X-Hop")
			.add("X-Hop", "hop")
			.add("TE", "trailers")
			.add("Keep-Alive", "timeout=5"));
		Visitor.Response response = Visitor.get(client, "/headers?q=a%20b&x=%2F");
		assertThat(response.status()).isEqualTo(200);
		List<String> lines = response.body().lines().toList();
		assertThat(lines).startsWith(":method: GET", ":path: /headers?q=a%20b&x=%2F", ":scheme: http",
				":authority: " + HOST);
		assertThat(lines).contains("x-forwarded-for: 127.0.0.1", "x-forwarded-proto: http",
				"x-forwarded-host: " + HOST, "x-forwarded-port: 80", "warp-connecting-ip: 127.0.0.1",
				"warp-ray: " + response.ray(), "te: trailers");
		assertThat(lines).containsSubsequence("x-custom: one", "x-custom: two");
		assertThat(lines).filteredOn((line) -> line.startsWith("warp-")).hasSize(2);
		assertThat(lines).noneMatch((line) -> line.startsWith("host:") || line.startsWith("connection:")
				|| line.startsWith("x-hop:") || line.startsWith("keep-alive:") || line.contains("6.6.6.6")
				|| line.contains("forged") || line.contains("10.0.0.1") || line.startsWith("x-http2-"));
		assertThat(response.ray()).matches("[0-9a-f]{16}-edge-test");
	}

	@Test
	void sendsTheRequestTargetByteForByte() throws Exception {
		agent(HOST);
		String response = Visitor.raw(this.edge,
				"GET /headers/%7Ea//b?q=a+b%20c&&x HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 200").contains(":path: /headers/%7Ea//b?q=a+b%20c&&x\n");
	}

	@Test
	void echoesALargeBodyStreaming() throws Exception {
		agent(HOST);
		Visitor.assertEchoesWhole(Visitor.http(this.edge, HOST), 1024, false);
	}

	@Test
	void streamsADownloadWithItsLength() throws Exception {
		agent(HOST);
		AtomicLong length = new AtomicLong();
		HttpHeaders headers = Visitor.http(this.edge, HOST)
			.get()
			.uri("/download?size=" + (8 * 1024 * 1024))
			.response((response, body) -> body.doOnNext((buffer) -> length.addAndGet(buffer.readableBytes()))
				.then(Mono.just(response.responseHeaders())))
			.blockLast(Duration.ofSeconds(30));
		assertThat(length.get()).isEqualTo(8 * 1024 * 1024);
		assertThat(headers.get("content-length")).isEqualTo(String.valueOf(8 * 1024 * 1024));
	}

	@Test
	void bodyWithoutALengthThatArrivesWithItsHeadStaysChunked() throws Exception {
		// The agent answers /whoami with headers that give no length, then one DATA frame ending the
		// stream, in one flush: the edge reads both at once, and the app's framing still stands.
		TestAgent agent = agent(HOST);
		for (int i = 0; i < 5; i++) {
			String response = Visitor.raw(this.edge,
					"GET /whoami HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
			assertThat(response.toLowerCase()).startsWith("http/1.1 200")
				.contains("\r\ntransfer-encoding: chunked\r\n")
				.doesNotContain("content-length")
				.endsWith("\r\n" + agent.agentId.toLowerCase() + "\r\n0\r\n\r\n");
		}
	}

	@Test
	void bodyOfADeclaredLengthThatArrivesWithItsHeadKeepsItsLength() throws Exception {
		agent(HOST);
		String response = Visitor.raw(this.edge, "GET /hello HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
		assertThat(response.toLowerCase()).contains("\r\ncontent-length: 5\r\n")
			.doesNotContain("transfer-encoding")
			.endsWith("\r\n\r\nhello");
	}

	@Test
	void passesEachChunkAsItArrives() throws Exception {
		TestAgent agent = agent(HOST);
		List<String> chunks = new ArrayList<>();
		Flux<String> body = Visitor.http(this.edge, HOST)
			.get()
			.uri("/stream")
			.responseContent()
			.asString(StandardCharsets.UTF_8)
			.doOnNext((text) -> {
				chunks.add(text);
				// Only a visitor that received the first event lets the agent send the second.
				agent.releaseStream();
			});
		assertThat(body.collectList().block(Duration.ofSeconds(10))).containsExactly("first\n", "second\n");
	}

	@Test
	void resetBeforeResponseIs502() throws Exception {
		agent(HOST);
		Visitor.Response response = Visitor.get(this.edge, HOST, "/reset");
		assertThat(response.status()).isEqualTo(502);
		assertThat(response.body()).isEqualTo(
				"Origin failed: stream reset by the agent (INTERNAL_ERROR) (Warp-Ray: " + response.ray() + ")\n");
	}

	@Test
	void responseHeaderWithALineBreakIs502AndNeverReachesTheVisitor() throws Exception {
		agent(HOST);
		String response = rawGet("/bad-header", "");
		assertThat(response).startsWith("HTTP/1.1 502").contains("invalid response header").doesNotContain("x-injected");
	}

	@Test
	void resetAfterHeadersAbortsTheVisitorsResponse() throws Exception {
		agent(HOST);
		assertThatThrownBy(() -> Visitor.get(this.edge, HOST, "/reset-after-headers"))
			.hasRootCauseInstanceOf(PrematureCloseException.class);
		// The edge keeps serving.
		assertThat(Visitor.get(this.edge, HOST, "/hello").body()).isEqualTo("hello");
	}

	@Test
	void noResponseInTimeIs504AndCancelsTheRequest() throws Exception {
		TestAgent agent = agent(HOST);
		Visitor.Response response = Visitor.get(this.edge, HOST, "/never");
		assertThat(response.status()).isEqualTo(504);
		assertThat(response.body())
			.isEqualTo("Origin timed out: no response within 1 s (Warp-Ray: " + response.ray() + ")\n");
		assertThat(agent.resets.poll(5, TimeUnit.SECONDS)).isEqualTo("/never CANCEL");
	}

	@Test
	void visitorThatLeavesCancelsTheRequest() throws Exception {
		this.edge.close();
		this.edge = EdgeNode.start(settings().responseTimeout(Duration.ofSeconds(30)).build());
		TestAgent agent = agent(HOST);
		assertThatThrownBy(() -> Visitor.http(this.edge, HOST)
			.responseTimeout(Duration.ofMillis(300))
			.get()
			.uri("/never")
			.response()
			.block(Visitor.TIMEOUT)).isNotNull();
		assertThat(agent.resets.poll(5, TimeUnit.SECONDS)).isEqualTo("/never CANCEL");
		await().atMost(Duration.ofSeconds(2))
			.until(() -> this.edge.routeTable().pool(HOST).connections().get(0).activeStreams() == 0);
	}

	@Test
	void routeLeavesWhenTheAgentDisconnects() throws Exception {
		TestAgent agent = agent(HOST);
		assertThat(Visitor.get(this.edge, HOST, "/hello").status()).isEqualTo(200);
		agent.close();
		await().atMost(Duration.ofSeconds(1)).until(() -> this.edge.routeTable().select(HOST) == null);
		assertThat(this.edge.routeTable().hostnames()).doesNotContain(HOST);
		assertThat(Visitor.get(this.edge, HOST, "/hello").status()).isEqualTo(503);
	}

	@Test
	void drainedConnectionTakesNoNewRequests() throws Exception {
		TestAgent agent = agent(HOST);
		agent.send(ControlMessage.of(ControlMessage.DRAIN));
		await().atMost(Duration.ofSeconds(2)).until(() -> this.edge.routeTable().select(HOST) == null);
		assertThat(Visitor.get(this.edge, HOST, "/hello").status()).isEqualTo(503);
		assertThat(this.edge.routeTable().snapshot().get(HOST)).singleElement()
			.satisfies((status) -> assertThat(status.state()).isEqualTo("draining"));
	}

	@Test
	void headAndNoContentHaveNoBody() throws Exception {
		agent(HOST);
		Visitor.Response head = Visitor.response(Visitor.http(this.edge, HOST).head().uri("/hello"), Visitor.TIMEOUT);
		assertThat(head.status()).isEqualTo(200);
		assertThat(head.headers().get("content-length")).isEqualTo("5");
		assertThat(head.body()).isEmpty();
		Visitor.Response noContent = Visitor.get(this.edge, HOST, "/no-content");
		assertThat(noContent.status()).isEqualTo(204);
		assertThat(noContent.body()).isEmpty();
		assertThat(noContent.ray()).isNotNull();
	}

	@Test
	void skipsInformationalResponses() throws Exception {
		agent(HOST);
		Visitor.Response response = Visitor.get(this.edge, HOST, "/informational");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("ok");
	}

	@Test
	void forwardsTrailers() throws Exception {
		agent(HOST);
		String response = rawGet("/trailers", "TE: trailers\r\n");
		assertThat(response).startsWith("HTTP/1.1 200").contains("body").contains("x-checksum: abc");
	}

	@Test
	void servesH2cVisitors() throws Exception {
		agent(HOST);
		HttpClient client = Visitor.h2c(this.edge, HOST);
		Visitor.Response response = Visitor.get(client, "/headers");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).contains(":authority: " + HOST, "warp-ray: " + response.ray());
		String echoed = client.post()
			.uri("/echo")
			.send(Flux.just("a", "b", "c").map((text) -> (ByteBuf) Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)))
			.responseSingle((r, body) -> body.asString())
			.block(Visitor.TIMEOUT);
		assertThat(echoed).isEqualTo("abc");
		assertThat(Visitor.get(client, "/never").status()).isEqualTo(504);
	}

	@Test
	void statusApiListsConnections() throws Exception {
		TestAgent agent = agent(HOST);
		String json = HttpClient.create()
			.port(this.edge.apiPort())
			.host("127.0.0.1")
			.get()
			.uri("/status")
			.responseSingle((response, body) -> body.asString())
			.block(Visitor.TIMEOUT);
		assertThat(json).startsWith("{\"node\":\"edge-test\",\"hostnames\":{\"" + HOST + "\":{\"connections\":[{\"id\":\"edge-test-t")
			.contains("\"agent\":\"" + agent.agentId + "\"", "\"state\":\"registered\"", "\"activeStreams\":0",
					"\"remote\":\"127.0.0.1:");
	}

	@Test
	void stalledVisitorStallsTheAgent() throws Exception {
		TestAgent agent = agent(HOST);
		// Socket buffers, one stream window and a few chunks in flight: far less than the body.
		Visitor.assertSlowReaderStallsTheAgent(Visitor.http(this.edge, HOST), agent, 256L * 1024 * 1024,
				32L * 1024 * 1024);
	}

	@Test
	void slowVisitorsLeaveTheOtherRequestsOfTheirTunnelConnectionFlowing() throws Exception {
		TestAgent agent = agent(HOST);
		// More of them than the tunnel connection's 32 MiB window has room for 1 MiB stream windows.
		try (Visitor.SlowDownloads slow = new Visitor.SlowDownloads(this.edge, HOST, 48)) {
			slow.awaitHeld(agent, 32L * 1024 * 1024);
			Visitor.Response answer = Visitor.response(Visitor.http(this.edge, HOST).get().uri("/hello"),
					Duration.ofSeconds(5));
			assertThat(answer.status()).isEqualTo(200);
		}
	}

	@Test
	void agentThatReadsNoneOfAnUploadStallsTheVisitor() throws Exception {
		this.edge.close();
		this.edge = EdgeNode.start(settings().responseTimeout(Duration.ofSeconds(30)).build());
		agent(HOST);
		long size = 128L * 1024 * 1024;
		try (Socket socket = new Socket("127.0.0.1", this.edge.publicPort())) {
			socket.getOutputStream().write(("POST /unread HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: " + size
					+ "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			AtomicLong written = new AtomicLong();
			Thread writer = new Thread(() -> {
				byte[] chunk = new byte[64 * 1024];
				try {
					OutputStream out = socket.getOutputStream();
					while (written.get() < size) {
						out.write(chunk);
						written.addAndGet(chunk.length);
					}
				}
				catch (IOException ex) {
					// The socket closes with the test.
				}
			}, "unread-upload");
			writer.setDaemon(true);
			writer.start();
			long[] last = { -1 };
			await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
				long now = written.get();
				boolean stalled = now > 0 && now == last[0];
				last[0] = now;
				return stalled;
			});
			// Socket buffers, the stream's window and what the edge reads ahead: far less than the body.
			assertThat(written.get()).isLessThan(48L * 1024 * 1024);
			// Stalled, not refused: the writer still waits, and the edge has said nothing.
			assertThat(writer.isAlive()).isTrue();
			socket.setSoTimeout(300);
			assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
		}
	}

	@Test
	void answersExpectContinueAndStreamsTheBody() throws Exception {
		agent(HOST);
		try (Socket socket = new Socket("127.0.0.1", this.edge.publicPort())) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST /echo HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
					+ "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
			assertThat(in.readLine()).isEqualTo("HTTP/1.1 100 Continue");
			while (!in.readLine().isEmpty()) {
				// headers of the 100 response
			}
			out.write("hello".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
			String rest = in.lines().collect(Collectors.joining("\n"));
			// The body whole with its length, or chunked when the edge sent the head before it.
			assertThat(rest).containsPattern("\n\n(5\n)?hello(\n0)?\n*$").doesNotContainIgnoringCase("expect");
		}
	}

	@Test
	void resetAfterHeadersResetsAnH2cVisitorsStream() throws Exception {
		agent(HOST);
		HttpClient client = Visitor.h2c(this.edge, HOST);
		assertThatThrownBy(() -> Visitor.get(client, "/reset-after-headers")).isNotNull();
		assertThat(Visitor.get(client, "/hello").body()).isEqualTo("hello");
	}

	/** A GET for {@link #HOST} on a connection of its own: the response's bytes as they came. */
	private String rawGet(String path, String moreHeaders) throws IOException {
		return Visitor.raw(this.edge, "GET " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\n" + moreHeaders
				+ "Connection: close\r\n\r\n");
	}

}
