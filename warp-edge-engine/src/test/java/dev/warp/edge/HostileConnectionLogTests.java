package dev.warp.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What hostile peers can write into the edge's log: text they send reaches it escaped, never as
 * a line of its own, and a flood of bad connections of any kind (garbage bytes, failed TLS
 * handshakes, HTTP/2 protocol errors, connects closed at once) costs a handful of lines, never a
 * stack trace, while another tenant is served.
 */
class HostileConnectionLogTests {

	private static final String SHOP = "shop.example.test";

	private static final String BLOG = "blog.example.test";

	/** Connections of each hostile kind. */
	private static final int PER_KIND = 100;

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private final List<TestAgent> agents = new ArrayList<>();

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir)
			.publicTls(EdgeSettings.PublicTls.issued(0, List.of("*.example.test", "127.0.0.1")))
			.build());
		this.agents.add(TestAgent.connect(this.edge, BLOG));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select(BLOG) != null);
		this.log.start();
		rootLogger().addAppender(this.log);
	}

	@AfterEach
	void stop() {
		rootLogger().detachAppender(this.log);
		this.agents.forEach(TestAgent::close);
		this.edge.close();
	}

	private static Logger rootLogger() {
		return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
	}

	@Test
	void aLineBreakInAControlStreamAttributeReachesTheLogEscaped() throws Exception {
		this.agents.add(TestAgent.connect(this.edge, SHOP, "agent-1\n12:00:00.000 WARN  forged line"));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select(SHOP) != null);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> messages().stream().anyMatch((message) -> message.contains("agent-1")));
		List<String> mentioning = messages().stream().filter((message) -> message.contains("agent-1")).toList();
		assertThat(mentioning).allSatisfy((message) -> assertThat(message).doesNotContain("\n")
			.contains("agent-1\\n12:00:00.000 WARN  forged line"));
	}

	@Test
	void aFloodOfHostileConnectionsLogsAHandfulOfLinesAndNoStackTrace() throws Exception {
		Map<String, Integer> linesPerKind = new TreeMap<>();
		hostile(linesPerKind, "garbage on the HTTP/1.1 listener", () -> garbage(this.edge.publicPort()));
		hostile(linesPerKind, "HTTP/2 protocol error on the h2c listener", () -> h2cProtocolError());
		hostile(linesPerKind, "CONTINUATION flood on the h2c listener", () -> continuationFlood());
		hostile(linesPerKind, "garbage on the TLS listener", () -> garbage(this.edge.publicTlsPort()));
		hostile(linesPerKind, "untrusted TLS handshake on the TLS listener",
				() -> untrustingHandshake(this.edge.publicTlsPort()));
		hostile(linesPerKind, "connect closed at once on the tunnel listener", () -> connectAndClose(this.edge.tunnelPort()));
		hostile(linesPerKind, "garbage on the tunnel listener", () -> garbage(this.edge.tunnelPort()));
		hostile(linesPerKind, "untrusted TLS handshake on the tunnel listener",
				() -> untrustingHandshake(this.edge.tunnelPort()));
		// What the edge logs after the last connection closed counts too.
		Thread.sleep(500);
		List<ILoggingEvent> warnings = warnings();
		System.out.printf("%d hostile connections: %d log lines at WARN or above, %d with a stack trace (%s)%n",
				linesPerKind.size() * PER_KIND, warnings.size(), withStackTrace().size(), linesPerKind);
		Map<String, Long> byLogger = new TreeMap<>();
		warnings.forEach((event) -> byLogger.merge(event.getLoggerName(), 1L, Long::sum));
		System.out.printf("WARN lines by logger: %s%n", byLogger);
		assertThat(withStackTrace()).isEmpty();
		// One line per kind of failure at most (each reported again at most once a minute).
		assertThat(warnings).hasSizeLessThanOrEqualTo(linesPerKind.size());
	}

	/** Runs {@link #PER_KIND} connections of one hostile kind, then checks that the other tenant is served. */
	private void hostile(Map<String, Integer> linesPerKind, String kind, HostileConnection connection) throws Exception {
		int before = this.log.list.size();
		for (int i = 0; i < PER_KIND; i++) {
			connection.run();
		}
		assertThat(Visitor.get(this.edge, BLOG, "/hello").status()).as("served after " + kind).isEqualTo(200);
		linesPerKind.put(kind, this.log.list.size() - before);
	}

	private List<String> messages() {
		return List.copyOf(this.log.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
	}

	private List<ILoggingEvent> warnings() {
		return List.copyOf(this.log.list).stream().filter((event) -> event.getLevel().isGreaterOrEqual(Level.WARN)).toList();
	}

	private List<ILoggingEvent> withStackTrace() {
		return List.copyOf(this.log.list).stream().filter((event) -> event.getThrowableProxy() != null).toList();
	}

	private static void garbage(int port) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(2000);
			OutputStream out = socket.getOutputStream();
			out.write("\u0000\u0001\u0002 not a protocol at all \r\n\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			drain(socket);
		}
	}

	private static void connectAndClose(int port) throws IOException {
		new Socket("127.0.0.1", port).close();
	}

	/** An HTTP/2 connection that sends a frame of an invalid size for its type: a connection error. */
	private void h2cProtocolError() throws IOException {
		try (Socket socket = h2c()) {
			// A PING frame must be 8 bytes long.
			frame(socket.getOutputStream(), 0x6, 0, 0, new byte[3]);
			drain(socket);
		}
	}

	/** HEADERS without END_HEADERS, then CONTINUATION frames without end until the edge gives up. */
	private void continuationFlood() throws IOException {
		try (Socket socket = h2c()) {
			OutputStream out = socket.getOutputStream();
			ByteBuf block = Unpooled.buffer();
			try {
				new DefaultHttp2HeadersEncoder().encodeHeaders(1, RawHttp2Visitor.get(SHOP, "/hello"), block);
			}
			catch (Exception ex) {
				throw new IOException(ex);
			}
			byte[] head = new byte[block.readableBytes()];
			block.readBytes(head);
			block.release();
			frame(out, 0x1, 0x1, 1, head);
			byte[] filler = new byte[16 * 1024];
			// A literal header field without indexing, new name, repeated: 16 KiB of headers per frame.
			for (int i = 0; i + 8 <= filler.length; i += 8) {
				filler[i] = 0x00;
				filler[i + 1] = 0x02;
				filler[i + 2] = 'x';
				filler[i + 3] = 'y';
				filler[i + 4] = 0x03;
				filler[i + 5] = 'a';
				filler[i + 6] = 'b';
				filler[i + 7] = 'c';
			}
			try {
				for (int i = 0; i < 64; i++) {
					frame(out, 0x9, 0, 1, filler);
				}
				out.flush();
			}
			catch (IOException ex) {
				// The edge closed the connection: what the test wants.
			}
			drain(socket);
		}
	}

	private Socket h2c() throws IOException {
		Socket socket = new Socket("127.0.0.1", this.edge.publicPort());
		socket.setSoTimeout(2000);
		OutputStream out = socket.getOutputStream();
		out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
		frame(out, 0x4, 0, 0, new byte[0]);
		return socket;
	}

	private static void frame(OutputStream out, int type, int flags, int streamId, byte[] payload) throws IOException {
		byte[] header = { (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
				(byte) type, (byte) flags, (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8),
				(byte) streamId };
		out.write(header);
		out.write(payload);
		out.flush();
	}

	/** A TLS client that trusts nothing: it aborts the handshake when it sees the edge's certificate. */
	private static void untrustingHandshake(int port) throws Exception {
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, new TrustManager[] { new TrustNothing() }, null);
		try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
			socket.setSoTimeout(2000);
			socket.startHandshake();
		}
		catch (IOException ex) {
			// Refused, as intended.
		}
	}

	/** Reads what the edge answers until it closes the connection, or for two seconds at most. */
	private static void drain(Socket socket) {
		try {
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[8192];
			while (in.read(buffer) >= 0) {
				// Discarded.
			}
		}
		catch (IOException ex) {
			// Closed or reset by the edge, or timed out.
		}
	}

	@FunctionalInterface
	private interface HostileConnection {

		void run() throws Exception;

	}

	private static final class TrustNothing implements X509TrustManager {

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
			throw new java.security.cert.CertificateException("trusts nothing");
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
			throw new java.security.cert.CertificateException("trusts nothing");
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return new X509Certificate[0];
		}

	}

}
