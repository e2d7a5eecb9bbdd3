package dev.warp.edge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an HTTP/2 request's head decides on its own, on its stream only: the visitor's connection
 * serves its next stream.
 */
class EdgeHttp2RequestHeadTests {

	private static final String HOST = "shop.example.test";

	@RegisterExtension
	final RoutedEdge routed = new RoutedEdge(HOST);

	@Test
	void hostnameWithoutATunnelIs503() throws Exception {
		assertThat(firstThenHello(RawHttp2Visitor.get("nope.example.test", "/hello"))).isEqualTo("503");
	}

	@Test
	void connectThatOpensNoWebSocketIs501() throws Exception {
		Http2Headers connect = new DefaultHttp2Headers().method("CONNECT").authority(HOST + ":443");
		assertThat(firstThenHello(connect)).isEqualTo("501");
		assertThat(this.routed.agent().requests).doesNotContain(HOST + ":443");
	}

	@Test
	void requestWithoutAPathIsResetAsMalformed() throws Exception {
		Http2Headers noPath = new DefaultHttp2Headers().method("GET").scheme("http").authority(HOST);
		assertThat(firstThenHello(noPath)).isEqualTo("reset " + Http2Error.PROTOCOL_ERROR.code());
	}

	/**
	 * Sends {@code first} on stream 1, then a GET of {@code /hello} on stream 3, which must be
	 * answered 200.
	 * @return the status of stream 1's answer, or {@code reset <code>} for a reset
	 */
	private String firstThenHello(Http2Headers first) throws Exception {
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.routed.edge().publicPort())) {
			visitor.headers(1, first, true);
			visitor.headers(3, RawHttp2Visitor.get(HOST, "/hello"), true);
			visitor.flush();
			Map<Integer, String> statuses = new HashMap<>();
			DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder();
			RawHttp2Visitor.Frame frame;
			while (statuses.size() < 2 && (frame = visitor.next(Duration.ofSeconds(10))) != null
					&& frame != RawHttp2Visitor.CLOSED) {
				if (frame.type() == RawHttp2Visitor.HEADERS) {
					statuses.put(frame.streamId(),
							String.valueOf(decoder.decodeHeaders(frame.streamId(), Unpooled.wrappedBuffer(frame.payload())).status()));
				}
				if (frame.type() == RawHttp2Visitor.RST_STREAM) {
					statuses.put(frame.streamId(), "reset " + frame.errorCode());
				}
			}
			assertThat(statuses).containsEntry(3, "200");
			return statuses.get(1);
		}
	}

}
