package dev.warp.edge;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request bodies of HTTP/2 visitors (h2c with prior knowledge): of any size, declared or not,
 * streamed to the app under the visitor's flow control, and refused past the node's limit.
 */
class EdgeHttp2UploadTests {

	private static final String HOST = "shop.example.test";

	private static final int MIB = 1024 * 1024;

	/** HTTP/2's initial flow-control window, of a stream and of a connection (RFC 9113 6.9.2). */
	private static final int WINDOW = 65_535;

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private TestAgent agent;

	@AfterEach
	void stop() {
		this.agent.close();
		this.edge.close();
	}

	@Test
	void oneMebibytePostArrivesIntact() throws Exception {
		start(Long.MAX_VALUE);
		byte[] body = randomBytes(MIB);
		assertThat(digest(echo(declared(body), body))).isEqualTo(digest(body));
	}

	@Test
	void sixteenMebibytePostArrivesIntact() throws Exception {
		start(Long.MAX_VALUE);
		byte[] body = randomBytes(16 * MIB);
		assertThat(digest(echo(declared(body), body))).isEqualTo(digest(body));
	}

	@Test
	void bodyOfUnknownLengthArrivesIntact() throws Exception {
		start(Long.MAX_VALUE);
		byte[] body = randomBytes(MIB);
		// Sent in parts without a content-length: the stream's end ends the body.
		Flux<ByteBuf> parts = Flux.range(0, 64).map((i) -> Unpooled.wrappedBuffer(body, i * 16384, 16384));
		byte[] echoed = h2c().post().uri("/echo").send(parts).responseSingle((r, content) -> content.asByteArray())
			.block(Visitor.TIMEOUT);
		assertThat(digest(echoed)).isEqualTo(digest(body));
	}

	@Test
	void declaredBodyOverTheLimitIs413() {
		start(MIB);
		byte[] body = new byte[2 * MIB];
		Visitor.Response response = Visitor.response(h2c().headers((headers) -> headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length))
			.post()
			.uri("/echo")
			.send(Mono.just(Unpooled.wrappedBuffer(body))), Visitor.TIMEOUT);
		assertThat(response.status()).isEqualTo(413);
		assertThat(response.body()).startsWith("Request body too large: the limit is 1048576 bytes");
		assertThat(this.agent.requests).doesNotContain("/echo");
	}

	@Test
	void streamedBodyThatGrowsOverTheLimitIs413() {
		start(MIB);
		Flux<ByteBuf> parts = Flux.range(0, 128).map((i) -> Unpooled.wrappedBuffer(new byte[16384]));
		Visitor.Response response = Visitor.response(h2c().post().uri("/length").send(parts), Visitor.TIMEOUT);
		assertThat(response.status()).isEqualTo(413);
	}

	@Test
	void slowAppHoldsBackTheVisitorsUploadThroughTheFlowControlWindows() throws Exception {
		start(Long.MAX_VALUE);
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort())) {
			visitor.headers(1, post("/unread"), false);
			// The app reads nothing: the edge passes a window on to its stream (the agent's window)
			// and gives back to the visitor only what it passed on, so the visitor stalls at about
			// two windows, not 16 MiB later.
			long sent = sendWithinWindows(visitor, 1, 16L * MIB, Duration.ofSeconds(1));
			assertThat(sent).isGreaterThanOrEqualTo(WINDOW).isLessThanOrEqualTo(3L * WINDOW);
		}
	}

	@Test
	void expectContinueIsAnsweredBeforeTheBodyIsSent() throws Exception {
		start(Long.MAX_VALUE);
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort())) {
			visitor.headers(1, post("/echo").setInt(HttpHeaderNames.CONTENT_LENGTH, 5).set(HttpHeaderNames.EXPECT, "100-continue"),
					false);
			visitor.flush();
			RawHttp2Visitor.Frame interim = visitor.nextOf(1);
			assertThat(interim.type()).isEqualTo(RawHttp2Visitor.HEADERS);
			Http2Headers headers = new DefaultHttp2HeadersDecoder(false).decodeHeaders(1,
					Unpooled.wrappedBuffer(interim.payload()));
			assertThat(headers.status()).hasToString("100");
			visitor.data(1, "hello".getBytes(), true);
			visitor.flush();
			RawHttp2Visitor.Frame head = visitor.nextOf(1);
			assertThat(head.type()).isEqualTo(RawHttp2Visitor.HEADERS);
			assertThat(this.agent.requests).contains("/echo");
		}
	}

	@Test
	void visitorStillSendingARefusedBodyIsAskedToStop() throws Exception {
		start(WINDOW);
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort())) {
			visitor.headers(1, post("/length"), false);
			sendWithinWindows(visitor, 1, 2 * WINDOW, Duration.ofMillis(200));
			RawHttp2Visitor.Frame frame;
			do {
				frame = visitor.nextOf(1);
			}
			while (frame.type() != RawHttp2Visitor.RST_STREAM);
			assertThat(frame.errorCode()).isEqualTo(Http2Error.NO_ERROR.code());
		}
	}

	private void start(long maxRequestBody) {
		try {
			this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).maxRequestBody(maxRequestBody).build());
			this.agent = TestAgent.connectRouted(this.edge, HOST);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private HttpClient h2c() {
		return Visitor.h2c(this.edge, HOST);
	}

	private HttpClient.RequestSender declared(byte[] body) {
		return h2c().headers((headers) -> headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)).post();
	}

	private static byte[] echo(HttpClient.RequestSender post, byte[] body) {
		// In parts, as a client streams a file: the app echoes each as it comes.
		Flux<ByteBuf> parts = Flux.range(0, body.length / 65536).map((i) -> Unpooled.wrappedBuffer(body, i * 65536, 65536));
		return post.uri("/echo").send(parts).responseSingle((r, content) -> content.asByteArray()).block(Visitor.TIMEOUT);
	}

	/**
	 * Sends DATA frames of a body on the stream as far as the edge's flow-control windows allow,
	 * the connection's and the stream's, until {@code size} bytes went or no window came back for
	 * {@code stall}.
	 * @return the bytes sent
	 */
	private static long sendWithinWindows(RawHttp2Visitor visitor, int streamId, long size, Duration stall)
			throws Exception {
		long connectionWindow = WINDOW;
		long streamWindow = WINDOW;
		long sent = 0;
		while (sent < size) {
			int part = (int) Math.min(Math.min(16384, size - sent), Math.min(connectionWindow, streamWindow));
			if (part > 0) {
				visitor.data(streamId, new byte[part], sent + part == size);
				sent += part;
				connectionWindow -= part;
				streamWindow -= part;
				continue;
			}
			visitor.flush();
			RawHttp2Visitor.Frame frame = visitor.next(stall);
			if (frame == null) {
				return sent;
			}
			assertThat(frame).isNotEqualTo(RawHttp2Visitor.CLOSED);
			if (frame.type() == RawHttp2Visitor.WINDOW_UPDATE) {
				long increment = frame.errorCode() & 0x7fffffffL;
				if (frame.streamId() == 0) {
					connectionWindow += increment;
				}
				else if (frame.streamId() == streamId) {
					streamWindow += increment;
				}
			}
			else if (frame.streamId() == streamId) {
				// The edge answered (or reset) the stream: the body is no longer read.
				return sent;
			}
		}
		visitor.flush();
		return sent;
	}

	private static Http2Headers post(String path) {
		return new DefaultHttp2Headers().method("POST").scheme("http").authority(HOST).path(path);
	}


	private static byte[] randomBytes(int size) {
		byte[] bytes = new byte[size];
		new Random(size).nextBytes(bytes);
		return bytes;
	}

	private static byte[] digest(byte[] bytes) throws Exception {
		return MessageDigest.getInstance("SHA-256").digest(bytes);
	}

}
