package dev.warp.edge;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Many requests on one HTTP/1.1 visitor connection: the edge forwards plain requests (no body,
 * one of a declared length, a chunked one; HTTP/1.0 ones too) itself and hands the others (errors,
 * unknown hostnames) to its general proxy; whichever does, responses leave in request order and
 * the connection serves on.
 * A body the edge forwards itself goes at the pace the agent reads it.
 */
class EdgeHttp1KeepAliveTests {

	private static final String HOST = "shop.example.test";

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private TestAgent agent;

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).responseTimeout(Duration.ofSeconds(1)).build());
		this.agent = TestAgent.connectRouted(this.edge, HOST);
	}

	@AfterEach
	void stop() {
		this.agent.close();
		this.edge.close();
	}

	@Test
	void http10RequestGetsAnHttp10ResponseAndTheConnectionClosesAfterIt() throws Exception {
		String response = Visitor.raw(this.edge, "GET /hello HTTP/1.0\r\nHost: " + HOST + "\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.0 200").contains("content-length: 5").endsWith("\r\n\r\nhello");
	}

	@Test
	void http10ResponseOfUnknownLengthEndsWithTheConnectionWithoutChunks() throws Exception {
		// The visitor asked to keep the connection: a body without a length can only end with it.
		String response = Visitor.raw(this.edge,
				"GET /whoami HTTP/1.0\r\nHost: " + HOST + "\r\nConnection: keep-alive\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.0 200")
			.contains("connection: close")
			.doesNotContainIgnoringCase("transfer-encoding")
			.endsWith("\r\n\r\n" + this.agent.agentId);
	}

	@Test
	void http10ConnectionServesOnWhenAskedAndTheLengthIsKnown() throws Exception {
		String responses = Visitor.raw(this.edge,
				"GET /hello HTTP/1.0\r\nHost: " + HOST + "\r\nConnection: keep-alive\r\n\r\n"
						+ "GET /hello HTTP/1.0\r\nHost: " + HOST + "\r\n\r\n");
		assertThat(responses).containsSubsequence("HTTP/1.0 200", "connection: keep-alive", "hello", "HTTP/1.0 200",
				"hello");
	}

	@Test
	void http10RequestThatTimesOutGetsAnHttp10Error() throws Exception {
		String response = Visitor.raw(this.edge, "GET /never HTTP/1.0\r\nHost: " + HOST + "\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.0 504").contains("Origin timed out");
	}

	@Test
	void pipelinedRequestsAreAnsweredInOrderAlsoWhenTheGeneralProxyAnswersOne() throws Exception {
		String responses = Visitor.raw(this.edge, "GET /whoami HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"
				+ "GET /hello HTTP/1.1\r\nHost: nope.example.test\r\n\r\n"
				+ "GET /hello HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"
				+ "GET /headers HTTP/1.1\r\nHost: " + HOST + "\r\nX-Last: yes\r\nConnection: close\r\n\r\n");
		assertThat(responses).containsSubsequence("HTTP/1.1 200", this.agent.agentId, "HTTP/1.1 503",
				"No healthy tunnel for hostname nope.example.test", "HTTP/1.1 200", "hello", "HTTP/1.1 200",
				"x-last: yes");
	}

	@Test
	void requestPipelinedBehindOnePassedOnIsAnsweredAlsoWhenItAsksToCloseTheConnection() throws Exception {
		// The GET behind the chunked POST waits for its answer at the edge.
		String responses = Visitor.raw(this.edge, "POST /echo HTTP/1.1\r\nHost: " + HOST
				+ "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
				+ "GET /whoami HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
		assertThat(responses).containsSubsequence("HTTP/1.1 200", "hello", "HTTP/1.1 200", this.agent.agentId);
	}

	@Test
	void bodyOfARequestPipelinedBehindOneTheEdgeForwardsReachesTheApp() throws Exception {
		// The POST waits for the GET's answer; then its body, read with it, follows it at once.
		String responses = Visitor.raw(this.edge, "GET /hello HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"
				+ "POST /length HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
		assertThat(responses).containsSubsequence("HTTP/1.1 200", "hello", "HTTP/1.1 200", "\r\n\r\n5");
	}

	@Test
	void requestsPipelinedBehindOneTheEdgeForwardsWaitForItsResponse() throws Exception {
		String responses = Visitor.raw(this.edge, "GET /hello HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"
				+ "GET /never HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"
				+ "GET /whoami HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
		assertThat(responses).containsSubsequence("HTTP/1.1 200", "hello", "HTTP/1.1 504", "Origin timed out",
				"HTTP/1.1 200", this.agent.agentId);
	}

	@Test
	void oneConnectionServesRequestsWithAndWithoutBodiesOneAfterTheOther() {
		AtomicInteger connections = new AtomicInteger();
		HttpClient client = oneConnection(connections);
		for (int i = 0; i < 3; i++) {
			assertThat(get(client, HOST, "/hello")).isEqualTo("hello");
			assertThat(client.post()
				.uri("/echo")
				.send(ByteBufFlux.fromString(Mono.just("body-" + i)))
				.responseContent()
				.aggregate()
				.asString()
				.block(Visitor.TIMEOUT)).isEqualTo("body-" + i);
			assertThat(get(client, "nope.example.test", "/hello")).startsWith("No healthy tunnel for hostname");
		}
		assertThat(connections).hasValue(1);
	}

	@Test
	void bodyThatArrivesInPartsReachesTheAppWhole() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.edge.publicPort())) {
			// The stream is open and the first part on its way before the rest comes.
			sendHalfABody(socket, "/echo", "Connection: close\r\n");
			send(socket, "-rest");
			assertThat(readAll(socket)).startsWith("HTTP/1.1 200")
				.containsSubsequence("\r\n\r\n", "first", "-rest")
				.endsWith("0\r\n\r\n");
		}
	}

	@Test
	void responseBeforeTheBodyEndedLeavesTheConnectionServingTheNextRequest() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.edge.publicPort())) {
			// The app answers without reading the body; the rest of it still comes, and is dropped.
			sendHalfABody(socket, "/hello", "");
			send(socket, "-rest" + "GET /whoami HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
			assertThat(readAll(socket)).containsSubsequence("HTTP/1.1 200", "hello", "HTTP/1.1 200", this.agent.agentId);
		}
	}

	@Test
	void largeBodyOfDeclaredLengthReachesTheAppWholeAndTheConnectionServesOn() {
		AtomicInteger connections = new AtomicInteger();
		HttpClient client = oneConnection(connections);
		Visitor.assertEchoesWhole(client, 512, true);
		assertThat(get(client, HOST, "/hello")).isEqualTo("hello");
		assertThat(connections).hasValue(1);
	}

	@Test
	void continueForAnExpectingRequestLeavesTheResponsesOfPipelinedRequestsInLine() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.edge.publicPort())) {
			socket.setSoTimeout((int) Visitor.TIMEOUT.toMillis());
			send(socket, "POST /never HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
			byte[] interim = socket.getInputStream().readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length());
			assertThat(new String(interim, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
			// A HEAD read long before the POST's answer (a 504) is written: that answer still has its body.
			send(socket, "hello" + "HEAD /hello HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n" + "GET /whoami HTTP/1.1\r\nHost: "
					+ HOST + "\r\nConnection: close\r\n\r\n");
			assertThat(readAll(socket)).matches("(?s)HTTP/1.1 504 .*?\r\n\r\nOrigin timed out[^\r]*\n"
					+ "HTTP/1.1 200 .*?content-length: 5\r\n.*?\r\n\r\nHTTP/1.1 200 .*\r\n\r\n[0-9a-f]+\r\n" + this.agent.agentId
					+ "\r\n0\r\n\r\n");
		}
	}

	@Test
	void continueForAChunkedRequestPassedOnLeavesItsAnswerItsBody() throws Exception {
		// Reactor Netty answers the POST (chunked); the HEAD is read before its answer (a 504) is written.
		assertThat(Visitor.continueWithAHeadBehind(this.edge, HOST)).startsWith("HTTP/1.1 504")
			.contains("\r\n\r\nOrigin timed out");
	}

	// The edge's response timeout is one second; each upload takes twice that. The time counts
	// from the request's last byte.

	@Test
	void uploadOfADeclaredLengthThatTakesLongerThanTheResponseTimeoutIsAnswered() throws Exception {
		assertThat(Visitor.slowUpload(this.edge, HOST, "/length", "Content-Length: 6\r\n", Duration.ofMillis(400), "a", "b",
				"c", "d", "e", "f")).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n6");
	}

	@Test
	void chunkedUploadThatTakesLongerThanTheResponseTimeoutIsAnswered() throws Exception {
		assertThat(Visitor.slowUpload(this.edge, HOST, "/length", "Transfer-Encoding: chunked\r\n", Duration.ofMillis(400),
				"2\r\nab\r\n", "2\r\ncd\r\n", "2\r\nef\r\n", "0\r\n\r\n")).startsWith("HTTP/1.1 200")
			.endsWith("\r\n\r\n6");
	}

	@Test
	void uploadThatStopsHalfwayIsAnswered504OnceTheResponseTimeoutPassed() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.edge.publicPort())) {
			sendHalfABody(socket, "/length", "Connection: close\r\n");
			assertThat(readAll(socket)).startsWith("HTTP/1.1 504").contains("Origin timed out");
		}
	}

	@Test
	void keepAliveConnectionWhoseUploadStoppedHalfwayClosesAfterIts504() throws Exception {
		// The rest of the body never comes: the header timeout (two seconds here), which counts from
		// the end of the 504, closes the connection.
		try (EdgeNode edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir.resolve("header-timeout"))
			.responseTimeout(Duration.ofSeconds(1))
			.headerReadTimeout(Duration.ofSeconds(2))
			.build()); TestAgent agent = TestAgent.connectRouted(edge, HOST);
				Socket socket = new Socket("127.0.0.1", edge.publicPort())) {
			socket.setSoTimeout(10_000);
			send(socket, "POST /length HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 10\r\n\r\nfirst");
			assertThat(readAll(socket)).startsWith("HTTP/1.1 504").contains("Origin timed out");
		}
	}

	@Test
	void visitorLeavingBeforeItsBodyEndedResetsTheTunnelStream() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.edge.publicPort())) {
			sendHalfABody(socket, "/echo", "");
		}
		assertThat(this.agent.resets.poll(5, TimeUnit.SECONDS)).isEqualTo("/echo CANCEL");
	}

	/** A POST of 10 declared bytes with only its first 5; returns once the app has the request. */
	private void sendHalfABody(Socket socket, String path, String moreHeaders) throws IOException {
		socket.setSoTimeout((int) Visitor.TIMEOUT.toMillis());
		send(socket, "POST " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 10\r\n" + moreHeaders
				+ "\r\nfirst");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.agent.requests.contains(path));
	}

	private static void send(Socket socket, String text) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(text.getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	@Test
	void headOfABodyOfDeclaredLengthLeavesWithTheBody() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.edge.publicPort())) {
			socket.getOutputStream()
				.write(("GET /late-body HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			socket.setSoTimeout(300);
			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> socket.getInputStream().read());
			this.agent.releaseStream();
			socket.setSoTimeout(5000);
			assertThat(readAll(socket)).startsWith("HTTP/1.1 200")
				.containsIgnoringCase("content-length: 5")
				.endsWith("\r\n\r\nhello");
		}
	}

	@Test
	void responseCutShortBeforeItsBodyOfDeclaredLengthShowsItsHeadThenCloses() throws Exception {
		String response = Visitor.raw(this.edge, "GET /reset-before-body HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 200")
			.containsIgnoringCase("content-length: 5")
			.endsWith("\r\n\r\n");
	}

	private static String readAll(Socket socket) throws IOException {
		return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
	}

	@Test
	void connectionCloseEndsTheConnectionAfterTheResponse() throws Exception {
		String response = Visitor.raw(this.edge, "GET /hello HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close").endsWith("hello");
	}

	/** A client of one connection at most, which counts the connections it opened. */
	private HttpClient oneConnection(AtomicInteger connections) {
		return HttpClient.create(ConnectionProvider.create("one-connection", 1))
			.host("127.0.0.1")
			.port(this.edge.publicPort())
			.headers((headers) -> headers.set("Host", HOST))
			.doOnChannelInit((observer, channel, address) -> connections.incrementAndGet());
	}

	private static String get(HttpClient client, String host, String path) {
		return client.headers((headers) -> headers.set("Host", host))
			.get()
			.uri(path)
			.responseContent()
			.aggregate()
			.asString()
			.block(Visitor.TIMEOUT);
	}

}
