package dev.warp.edge;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A visitor's own forwarding headers never reach the app: whatever {@code Forwarded},
 * {@code X-Forwarded-*}, {@code X-Real-IP} or {@code Warp-*} a visitor of {@code a.test} sends,
 * its agent sees only the ones the edge wrote, on every path a request takes; and the other
 * tenant, {@code b.test}, is served all along.
 */
class VisitorForwardingHeadersTests {

	private static final String ATTACKED = TwoTenantEdge.ATTACKED;

	private static final String PROBED = TwoTenantEdge.PROBED;

	/** What a visitor sends to pass for 9.9.9.9 on https://evil.test:8443/evil. */
	private static final List<String> SPOOFED = List.of("Forwarded: for=9.9.9.9;proto=https;host=evil.test",
			"X-Forwarded-For: 1.1.1.1", "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.test",
			"X-Forwarded-Port: 8443", "X-Forwarded-Prefix: /evil", "X-Forwarded-Ssl: on", "X-Real-IP: 9.9.9.9",
			"Warp-Connecting-IP: 9.9.9.9", "Warp-Ray: forged");

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
	void aPlainRequestCarriesOnlyTheEdgesForwardingHeaders() throws Exception {
		String response = Visitor.raw(this.edge, "GET /headers HTTP/1.1\r\nHost: " + ATTACKED + "\r\n" + spoofed()
				+ "Connection: close\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 200");
		assertOnlyTheEdgesForwardingHeaders(response, ATTACKED, "80");
		this.tenants.assertTheOtherTenantIsServed();
	}

	@Test
	void aChunkedRequestCarriesOnlyTheEdgesForwardingHeaders() throws Exception {
		String response = Visitor.raw(this.edge, "POST /headers HTTP/1.1\r\nHost: " + ATTACKED + ":8080\r\n" + spoofed()
				+ "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 200");
		assertOnlyTheEdgesForwardingHeaders(response, ATTACKED + ":8080", "8080");
		this.tenants.assertTheOtherTenantIsServed();
	}

	@Test
	void anHttp2RequestCarriesOnlyTheEdgesForwardingHeaders() throws Exception {
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort())) {
			Http2Headers headers = RawHttp2Visitor.get(ATTACKED, "/headers");
			for (String header : SPOOFED) {
				int colon = header.indexOf(':');
				headers.add(header.substring(0, colon).toLowerCase(), header.substring(colon + 2));
			}
			visitor.headers(1, headers, true);
			visitor.flush();
			assertOnlyTheEdgesForwardingHeaders(body(visitor, 1), ATTACKED, "80");
		}
		this.tenants.assertTheOtherTenantIsServed();
	}

	private static String spoofed() {
		return String.join("\r\n", SPOOFED) + "\r\n";
	}

	/** The DATA of one stream until it ends. */
	private static String body(RawHttp2Visitor visitor, int streamId) throws InterruptedException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		RawHttp2Visitor.Frame frame;
		while ((frame = visitor.next(Visitor.TIMEOUT)) != null && frame != RawHttp2Visitor.CLOSED) {
			if (frame.streamId() != streamId) {
				continue;
			}
			if (frame.type() == RawHttp2Visitor.DATA) {
				body.writeBytes(frame.payload());
			}
			if ((frame.flags() & 0x1) != 0) {
				break;
			}
		}
		return body.toString(StandardCharsets.UTF_8);
	}

	/** The agent's {@code /headers} answer: the edge's forwarding headers, and nothing the visitor forged. */
	private static void assertOnlyTheEdgesForwardingHeaders(String response, String host, String port) {
		List<String> lines = response.lines().toList();
		assertThat(lines).contains("x-forwarded-for: 127.0.0.1", "x-forwarded-proto: http", "x-forwarded-host: " + host,
				"x-forwarded-port: " + port, "warp-connecting-ip: 127.0.0.1");
		assertThat(lines).filteredOn((line) -> line.startsWith("x-forwarded-")).hasSize(4);
		assertThat(lines).filteredOn((line) -> line.startsWith("warp-")).hasSize(2);
		assertThat(lines).noneMatch((line) -> line.startsWith("forwarded:") || line.startsWith("x-real-ip:"));
		assertThat(response).doesNotContain("9.9.9.9", "1.1.1.1", "evil", "8443", "forged");
	}

}
