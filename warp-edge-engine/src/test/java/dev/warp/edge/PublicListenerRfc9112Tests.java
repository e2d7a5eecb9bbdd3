package dev.warp.edge;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.warp.core.protocol.TunnelProtocol;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public listener holds visitors to RFC 9112 (and RFC 9113 for the authority), on the short
 * path (a plain GET) as on Reactor Netty's (a chunked POST): a request whose target host is
 * ambiguous is refused, one whose body framing the edge cannot read is never read as requests.
 * {@code a.test} is attacked; {@code b.test} is served after each attack.
 */
class PublicListenerRfc9112Tests {

	private static final String ATTACKED = TwoTenantEdge.ATTACKED;

	private static final String PROBED = TwoTenantEdge.PROBED;

	@TempDir
	Path dataDir;

	private TwoTenantEdge tenants;

	private EdgeNode edge;

	@BeforeEach
	void start() throws Exception {
		this.tenants = TwoTenantEdge.start(this.dataDir);
		this.edge = this.tenants.edge;
	}

	@AfterEach
	void stop() {
		this.tenants.close();
	}

	@Test
	void twoHostHeadersAre400AndTheConnectionCloses() throws Exception {
		String plain = Visitor.raw(this.edge, "GET /headers HTTP/1.1\r\nHost: " + ATTACKED + "\r\nHost: " + PROBED
				+ "\r\n\r\n");
		String chunked = Visitor.raw(this.edge, "POST /headers HTTP/1.1\r\nHost: " + ATTACKED + "\r\nHost: " + ATTACKED
				+ "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
		for (String response : new String[] { plain, chunked }) {
			assertThat(response).startsWith("HTTP/1.1 400").contains("More than one Host header (Warp-Ray: ");
		}
		assertNoRequestReachedEitherAgent();
		this.tenants.assertTheOtherTenantIsServed();
	}

	@Test
	void anAbsoluteFormTargetIsRoutedByItsAuthorityNotByHost() throws Exception {
		String plain = Visitor.raw(this.edge, "GET http://" + PROBED + "/headers?q=1 HTTP/1.1\r\nHost: " + ATTACKED
				+ "\r\nConnection: close\r\n\r\n");
		String chunked = Visitor.raw(this.edge, "POST http://" + PROBED + ":8080/headers HTTP/1.1\r\nHost: " + ATTACKED
				+ "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n");
		assertThat(plain).startsWith("HTTP/1.1 200")
			.contains(":path: /headers?q=1\n", ":authority: " + PROBED + "\n", "x-forwarded-host: " + PROBED + "\n");
		assertThat(chunked).startsWith("HTTP/1.1 200")
			.contains(":path: /headers\n", ":authority: " + PROBED + ":8080\n", "x-forwarded-port: 8080\n");
		assertThat(this.tenants.attacked.requests).noneMatch((path) -> path.startsWith("/headers"));
		this.tenants.assertTheOtherTenantIsServed();
	}

	@Test
	void anUnknownTransferCodingIs501AndWhatFollowsIsNeverReadAsARequest() throws Exception {
		for (String coding : new String[] { "xchunked", "gzip, chunked" }) {
			// Read as a request without a body, the "body" would be a second request: smuggling.
			String response = Visitor.raw(this.edge, "POST /headers HTTP/1.1\r\nHost: " + ATTACKED
					+ "\r\nTransfer-Encoding: " + coding + "\r\n\r\nGET /hello HTTP/1.1\r\nHost: " + ATTACKED + "\r\n\r\n");
			assertThat(response).as(coding)
				.startsWith("HTTP/1.1 501")
				.contains("connection: close")
				.containsOnlyOnce("HTTP/1.1");
		}
		assertNoRequestReachedEitherAgent();
		this.tenants.assertTheOtherTenantIsServed();
	}

	@Test
	void anHttp2StreamWhoseHostDisagreesWithItsAuthorityIs400AndTheConnectionServesOn() throws Exception {
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort())) {
			visitor.headers(1, RawHttp2Visitor.get(ATTACKED, "/headers").add("host", PROBED), true);
			visitor.headers(3, RawHttp2Visitor.get(ATTACKED, "/hello").add("host", ATTACKED), true);
			visitor.flush();
			Map<Integer, String> statuses = new HashMap<>();
			DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder();
			RawHttp2Visitor.Frame frame;
			while (statuses.size() < 2 && (frame = visitor.next(Visitor.TIMEOUT)) != null
					&& frame != RawHttp2Visitor.CLOSED) {
				if (frame.type() == RawHttp2Visitor.HEADERS) {
					CharSequence status = decoder.decodeHeaders(frame.streamId(), Unpooled.wrappedBuffer(frame.payload()))
						.status();
					statuses.put(frame.streamId(), String.valueOf(status));
				}
				if (frame.type() == RawHttp2Visitor.RST_STREAM) {
					statuses.put(frame.streamId(), "reset " + frame.errorCode());
				}
			}
			assertThat(statuses).containsEntry(1, "400").containsEntry(3, "200");
		}
		assertThat(this.tenants.attacked.requests).doesNotContain("/headers");
		assertThat(this.tenants.probed.requests).doesNotContain("/headers");
		this.tenants.assertTheOtherTenantIsServed();
	}

	private void assertNoRequestReachedEitherAgent() {
		for (TestAgent agent : new TestAgent[] { this.tenants.attacked, this.tenants.probed }) {
			assertThat(agent.requests).allMatch(TunnelProtocol.CONTROL_PATH::equals);
		}
	}

}
