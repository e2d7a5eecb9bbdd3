package dev.warp.edge;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WebSockets of HTTP/2 visitors (RFC 8441 extended CONNECT), written frame by frame on both
 * sides: what the visitor sees when the application refuses, closes or fails, or the tunnel goes,
 * and when the edge refuses the handshake itself (the application never sees it).
 */
class EdgeHttp2WebSocketTests {

	private static final String HOST = "chat.example.test";

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private TestAgent agent;

	private RawHttp2Visitor visitor;

	private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder();

	private final WebSocketWire fromEdge = new WebSocketWire();

	private final Queue<WebSocketWire.Frame> frames = new ArrayDeque<>();

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).build());
		this.agent = TestAgent.connectRoutedForWebSockets(this.edge, HOST);
		this.visitor = new RawHttp2Visitor(this.edge.publicPort());
	}

	@AfterEach
	void stop() throws Exception {
		this.visitor.close();
		this.agent.close();
		this.edge.close();
	}

	@Test
	void refusedHandshakeReachesTheVisitorAsTheApplicationsResponseAndEndsOnlyItsStream() throws Exception {
		this.visitor.headers(1, connect("/refused"), false);
		this.visitor.flush();
		assertThat(answer(1)).isEqualTo("403 refused");
		this.visitor.headers(3, RawHttp2Visitor.get(HOST, "/hello"), true);
		this.visitor.flush();
		assertThat(answer(3)).isEqualTo("200 hello");
	}

	@Test
	void handshakeOfAnUnsupportedVersionIsAnswered426NamingVersion13() throws Exception {
		Response response = edgesAnswer(connect("/chat").set("sec-websocket-version", "14"));
		assertThat(response.status()).isEqualTo("426");
		assertThat(String.valueOf(response.headers().get("sec-websocket-version"))).isEqualTo("13");
		assertThat(response.body())
			.isEqualTo("Unsupported WebSocket version: this edge speaks 13 (Warp-Ray: " + response.ray() + ")\n");
	}

	@Test
	void handshakeWithoutAVersionIsAnswered426NamingVersion13() throws Exception {
		Http2Headers headers = connect("/chat");
		headers.remove("sec-websocket-version");
		Response response = edgesAnswer(headers);
		assertThat(response.status()).isEqualTo("426");
		assertThat(String.valueOf(response.headers().get("sec-websocket-version"))).isEqualTo("13");
	}

	@Test
	void extendedConnectForAnotherProtocolIsAnswered400() throws Exception {
		Response response = edgesAnswer(connect("/chat").set(":protocol", "connect-udp"));
		assertThat(response.status()).isEqualTo("400");
		assertThat(response.body()).isEqualTo(
				"Unsupported protocol in an extended CONNECT: only websocket (Warp-Ray: " + response.ray() + ")\n");
	}

	@Test
	void handshakeWhoseHostDisagreesWithItsAuthorityIsAnswered400() throws Exception {
		Response response = edgesAnswer(connect("/chat").set("host", "other.example.test"));
		assertThat(response.status()).isEqualTo("400");
		assertThat(response.body()).startsWith("Invalid or conflicting Host and :authority (Warp-Ray: ");
	}

	@Test
	void handshakeForAHostnameWithoutATunnelOnThisNodeIsAnswered503() throws Exception {
		Response response = edgesAnswer(connect("/chat").authority("nobody.example.test"));
		assertThat(response.status()).isEqualTo("503");
		assertThat(response.body()).isEqualTo("No healthy tunnel for hostname nobody.example.test on this edge node "
				+ "(Warp-Ray: " + response.ray() + ")\n");
	}

	@Test
	void handshakeTheEdgeRefusedEndsOnlyItsStream() throws Exception {
		this.visitor.headers(1, connect("/chat").set("sec-websocket-version", "14"), false);
		this.visitor.flush();
		assertThat(answer(1)).startsWith("426 ");
		this.visitor.headers(3, RawHttp2Visitor.get(HOST, "/hello"), true);
		this.visitor.flush();
		assertThat(answer(3)).isEqualTo("200 hello");
	}

	@Test
	void visitorsCloseCodeAndReasonReachTheApplication() throws Exception {
		open("/chat");
		this.visitor.data(1, WebSocketWire.close(4000, "bye", true), false);
		this.visitor.flush();
		WebSocketWire.Frame close = nextAgentFrame(WebSocketWire.CLOSE);
		assertThat(close.closeCode()).isEqualTo(4000);
		assertThat(close.closeReason()).isEqualTo("bye");
		WebSocketWire.Frame answer = nextFrame();
		assertThat(answer.opcode()).isEqualTo(WebSocketWire.CLOSE);
		assertThat(answer.closeCode()).isEqualTo(4000);
	}

	@Test
	void applicationsCloseCodeAndReasonReachTheVisitor() throws Exception {
		open("/chat");
		this.agent.sendWebSocket(WebSocketWire.close(4001, "done", false));
		WebSocketWire.Frame close = nextFrame();
		assertThat(close.opcode()).isEqualTo(WebSocketWire.CLOSE);
		assertThat(close.closeCode()).isEqualTo(4001);
		assertThat(close.closeReason()).isEqualTo("done");
	}

	@Test
	void tunnelConnectionGoingAwayClosesTheVisitorsWebSocketWith1001() throws Exception {
		open("/chat");
		this.agent.close();
		WebSocketWire.Frame close = nextFrame();
		assertThat(close.opcode()).isEqualTo(WebSocketWire.CLOSE);
		assertThat(close.closeCode()).isEqualTo(1001);
	}

	@Test
	void applicationFailingMidWebSocketClosesTheVisitorsWebSocketWith1011() throws Exception {
		open("/fail");
		this.visitor.data(1, WebSocketWire.text("boom", true), false);
		this.visitor.flush();
		WebSocketWire.Frame close = nextFrame();
		assertThat(close.opcode()).isEqualTo(WebSocketWire.CLOSE);
		assertThat(close.closeCode()).isEqualTo(1011);
	}

	private static Http2Headers connect(String path) {
		return new DefaultHttp2Headers().method("CONNECT")
			.set(":protocol", "websocket")
			.scheme("http")
			.authority(HOST)
			.path(path)
			.set("sec-websocket-version", "13");
	}

	/** Opens a WebSocket on stream 1, and checks that frames cross it both ways. */
	private void open(String path) throws Exception {
		this.visitor.headers(1, connect(path), false);
		this.visitor.flush();
		RawHttp2Visitor.Frame frame = nextOf(1);
		assertThat(frame.type()).isEqualTo(RawHttp2Visitor.HEADERS);
		assertThat(String.valueOf(decode(frame).status())).isEqualTo("200");
		if (!path.equals("/fail")) {
			this.visitor.data(1, WebSocketWire.text("hi", true), false);
			this.visitor.flush();
			assertThat(nextFrame().text()).isEqualTo("hi");
			assertThat(nextAgentFrame(WebSocketWire.TEXT).text()).isEqualTo("hi");
		}
	}

	/** The edge's own answer to a handshake sent on stream 1, which the application never saw. */
	private Response edgesAnswer(Http2Headers handshake) throws Exception {
		this.visitor.headers(1, handshake, false);
		this.visitor.flush();
		Response response = response(1);
		assertThat(this.agent.requests).doesNotContain("/chat");
		return response;
	}

	/** The status and body of the response on {@code streamId}, read until the stream ends. */
	private String answer(int streamId) throws Exception {
		Response response = response(streamId);
		return response.status() + " " + response.body();
	}

	/** The response on {@code streamId}, read until the stream ends. */
	private Response response(int streamId) throws Exception {
		Http2Headers headers = null;
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		while (true) {
			RawHttp2Visitor.Frame frame = nextOf(streamId);
			if (frame.type() == RawHttp2Visitor.HEADERS) {
				Http2Headers decoded = decode(frame);
				headers = (decoded.status() != null) ? decoded : headers;
			}
			else if (frame.type() == RawHttp2Visitor.DATA) {
				body.writeBytes(frame.payload());
			}
			if (frame.type() == RawHttp2Visitor.RST_STREAM || (frame.flags() & 0x1) != 0
					&& (frame.type() == RawHttp2Visitor.HEADERS || frame.type() == RawHttp2Visitor.DATA)) {
				return new Response((headers != null) ? headers : new DefaultHttp2Headers(), body.toString(StandardCharsets.UTF_8));
			}
		}
	}

	/** A response's head and body. */
	private record Response(Http2Headers headers, String body) {

		String status() {
			return String.valueOf(this.headers.status());
		}

		String ray() {
			return String.valueOf(this.headers.get("warp-ray"));
		}

	}

	/** The next WebSocket frame the visitor got on stream 1. */
	private WebSocketWire.Frame nextFrame() throws Exception {
		while (this.frames.isEmpty()) {
			RawHttp2Visitor.Frame frame = nextOf(1);
			assertThat(frame.type()).as("a DATA frame of the WebSocket").isEqualTo(RawHttp2Visitor.DATA);
			this.frames.addAll(this.fromEdge.read(frame.payload()));
		}
		return this.frames.remove();
	}

	private WebSocketWire.Frame nextAgentFrame(int opcode) throws Exception {
		WebSocketWire.Frame frame = this.agent.webSocketFrames.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		assertThat(frame).as("a frame the application got").isNotNull();
		assertThat(frame.opcode()).isEqualTo(opcode);
		return frame;
	}

	/** The next frame of {@code streamId}, HEADERS decoded in the connection's order. */
	private RawHttp2Visitor.Frame nextOf(int streamId) throws Exception {
		while (true) {
			RawHttp2Visitor.Frame frame = this.visitor.next(TIMEOUT);
			assertThat(frame).as("a frame of stream " + streamId).isNotNull().isNotEqualTo(RawHttp2Visitor.CLOSED);
			if (frame.type() == RawHttp2Visitor.HEADERS && frame.streamId() != streamId) {
				decode(frame);
			}
			if (frame.streamId() == streamId) {
				return frame;
			}
		}
	}

	/** Decodes a HEADERS frame; each exactly once, in the order they came (HPACK keeps state). */
	private Http2Headers decode(RawHttp2Visitor.Frame frame) throws Exception {
		return this.decoder.decodeHeaders(frame.streamId(), Unpooled.wrappedBuffer(frame.payload()));
	}

}
