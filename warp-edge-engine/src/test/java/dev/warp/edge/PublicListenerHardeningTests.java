package dev.warp.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.warp.edge.visitor.PublicListener;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The public listener against hostile visitors: oversize requests, too many streams, rapid
 * resets, slow headers. After each, the edge still serves every hostname and has released what
 * the attack made it hold: file descriptors and direct memory back where they were.
 */
class PublicListenerHardeningTests {

	private static final String SHOP = "shop.example.test";

	private static final String BLOG = "blog.example.test";

	private static final int MAX_HEADER_SIZE = 8 * 1024;

	private static final int MAX_LINE = 4 * 1024;

	private static final int MAX_STREAMS = 4;

	private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(1);

	/** The edge's RST_STREAM budget per window (VisitorPipeline.MAX_RESETS). */
	private static final int MAX_RESETS = 200;

	/** Direct memory an attack may leave behind in allocator caches: well below one connection's worth per request. */
	private static final long DIRECT_MEMORY_TOLERANCE = 8 * 1024 * 1024;

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private final List<TestAgent> agents = new ArrayList<>();

	private Resources before;

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(EdgeSettings.builder()
			.nodeId("edge-hardened")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(this.dataDir)
			.maxHeaderSize(MAX_HEADER_SIZE)
			.maxInitialLineLength(MAX_LINE)
			.maxConcurrentStreams(MAX_STREAMS)
			.headerReadTimeout(HEADER_TIMEOUT)
			.build());
		for (String host : List.of(SHOP, BLOG)) {
			this.agents.add(TestAgent.connect(this.edge, host));
			await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select(host) != null);
		}
		assertEveryHostServed();
		for (String host : List.of(SHOP, BLOG)) {
			assertThat(Visitor.get(this.edge, host, "/hello").status()).as(host).isEqualTo(200);
		}
		this.before = Resources.now();
	}

	@AfterEach
	void stop() {
		this.agents.forEach(TestAgent::close);
		this.edge.close();
	}

	@Test
	void oversizeRequestHeadersAre431() throws Exception {
		String response = Visitor.raw(this.edge, "GET /hello HTTP/1.1\r\nHost: " + SHOP + "\r\nX-Big: "
				+ "a".repeat(MAX_HEADER_SIZE + 1) + "\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 431");
		assertEveryHostServedAndNothingLeaked();
	}

	@Test
	void requestHeadersUnderTheLimitPass() throws Exception {
		// Half the limit: the test agent's own HTTP/2 header list limit is Netty's default, 8 KiB.
		String response = Visitor.raw(this.edge, "GET /hello HTTP/1.1\r\nHost: " + SHOP + "\r\nConnection: close\r\nX-Big: "
				+ "a".repeat(MAX_HEADER_SIZE / 2) + "\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 200");
	}

	@Test
	void oversizeHeadersOfAnHttp2StreamAre431AndTheConnectionServesOn() throws Exception {
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort())) {
			visitor.headers(1, RawHttp2Visitor.get(SHOP, "/hello").add("x-big", "a".repeat(MAX_HEADER_SIZE + 1)), true);
			visitor.headers(3, RawHttp2Visitor.get(SHOP, "/hello"), true);
			visitor.flush();
			java.util.Map<Integer, String> statuses = new java.util.HashMap<>();
			io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder decoder = new io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder();
			RawHttp2Visitor.Frame frame;
			while (statuses.size() < 2 && (frame = visitor.next(Duration.ofSeconds(10))) != null
					&& frame != RawHttp2Visitor.CLOSED) {
				if (frame.type() == RawHttp2Visitor.HEADERS) {
					CharSequence status = decoder.decodeHeaders(frame.streamId(),
							io.netty.buffer.Unpooled.wrappedBuffer(frame.payload())).status();
					if (status != null) {
						statuses.put(frame.streamId(), status.toString());
					}
				}
			}
			assertThat(statuses).containsEntry(1, "431").containsEntry(3, "200");
		}
		assertEveryHostServedAndNothingLeaked();
	}

	@Test
	void oversizeRequestLineIs414() throws Exception {
		String response = Visitor.raw(this.edge,
				"GET /hello?q=" + "a".repeat(MAX_LINE + 1) + " HTTP/1.1\r\nHost: " + SHOP + "\r\n\r\n");
		assertThat(response).startsWith("HTTP/1.1 414");
		assertEveryHostServedAndNothingLeaked();
	}

	@Test
	void streamsBeyondTheConcurrentLimitAreRefused() throws Exception {
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort())) {
			int streams = MAX_STREAMS + 3;
			for (int i = 0; i < streams; i++) {
				// /never holds its stream open: every one stays active.
				visitor.headers(1 + 2 * i, RawHttp2Visitor.get(SHOP, "/never"), true);
			}
			visitor.flush();
			List<Integer> refused = new ArrayList<>();
			RawHttp2Visitor.Frame frame;
			while (refused.size() < 3 && (frame = visitor.next(Duration.ofSeconds(10))) != null
					&& frame != RawHttp2Visitor.CLOSED) {
				if (frame.type() == RawHttp2Visitor.RST_STREAM
						&& frame.errorCode() == Http2Error.REFUSED_STREAM.code()) {
					refused.add(frame.streamId());
				}
			}
			assertThat(refused).containsExactly(1 + 2 * MAX_STREAMS, 3 + 2 * MAX_STREAMS, 5 + 2 * MAX_STREAMS);
			// While this visitor holds its streams, others are served.
			assertThat(Visitor.get(this.edge, BLOG, "/hello").status()).isEqualTo(200);
		}
		assertEveryHostServedAndNothingLeaked();
	}

	@Test
	void rapidResetClosesTheConnectionWithGoawayAndOthersAreServed() throws Exception {
		long goaway = -1;
		boolean closed = false;
		// From an address of its own: the edge then refuses that address for a while (RapidResetTests).
		try (RawHttp2Visitor attacker = new RawHttp2Visitor(this.edge.publicPort(), "127.0.0.3")) {
			try {
				for (int i = 0; i < 5 * MAX_RESETS; i++) {
					int stream = 1 + 2 * i;
					attacker.headers(stream, RawHttp2Visitor.get(SHOP, "/hello"), true);
					attacker.reset(stream, Http2Error.CANCEL.code());
				}
				attacker.flush();
			}
			catch (IOException ex) {
				// The edge closed the connection while the attack was still being written.
			}
			RawHttp2Visitor.Frame frame;
			while ((frame = attacker.next(Duration.ofSeconds(10))) != null) {
				if (frame == RawHttp2Visitor.CLOSED) {
					closed = true;
					break;
				}
				if (frame.type() == RawHttp2Visitor.GOAWAY) {
					goaway = frame.errorCode();
				}
			}
		}
		assertThat(goaway).as("GOAWAY error code").isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
		assertThat(closed).as("connection closed").isTrue();
		assertEveryHostServedAndNothingLeaked();
	}

	@Test
	void visitorSendingHeadersByteByByteIsCutOffAtTheHeaderTimeout() throws Exception {
		byte[] request = ("GET /hello HTTP/1.1\r\nHost: " + SHOP + "\r\nX-Slow: " + "a".repeat(200) + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
		long started = System.nanoTime();
		int sent = 0;
		try (Socket socket = new Socket("127.0.0.1", this.edge.publicPort())) {
			socket.setSoTimeout(50);
			OutputStream out = socket.getOutputStream();
			InputStream in = socket.getInputStream();
			boolean closed = false;
			// A byte every 50 ms: far more often than any idle timeout, far slower than a real client.
			while (!closed && sent < request.length) {
				try {
					out.write(request[sent]);
					out.flush();
					sent++;
				}
				catch (IOException ex) {
					closed = true;
					break;
				}
				try {
					closed = in.read() < 0;
				}
				catch (SocketTimeoutException ex) {
					// Nothing yet: keep dripping.
				}
				catch (IOException ex) {
					closed = true;
				}
			}
			assertThat(closed).as("connection closed before the headers were complete").isTrue();
		}
		Duration held = Duration.ofNanos(System.nanoTime() - started);
		assertThat(sent).isLessThan(request.length);
		assertThat(held).isGreaterThanOrEqualTo(HEADER_TIMEOUT).isLessThan(HEADER_TIMEOUT.multipliedBy(8));
		assertEveryHostServedAndNothingLeaked();
	}

	@Test
	void keepAliveConnectionIsClosedWhenTheNextRequestsHeadersDoNotCome() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.edge.publicPort())) {
			socket.setSoTimeout((int) Visitor.TIMEOUT.toMillis());
			socket.getOutputStream()
				.write(("GET /hello HTTP/1.1\r\nHost: " + SHOP + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			long started = System.nanoTime();
			String received = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
			assertThat(received).startsWith("HTTP/1.1 200");
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(HEADER_TIMEOUT);
		}
	}

	private void assertEveryHostServed() {
		for (String host : List.of(SHOP, BLOG)) {
			assertThat(Visitor.get(this.edge, host, "/hello").status()).as(host).isEqualTo(200);
			assertThat(Visitor.get(Visitor.h2c(this.edge, host), "/hello").status()).as(host + " over h2c").isEqualTo(200);
		}
	}

	private void assertEveryHostServedAndNothingLeaked() {
		// HTTP/1.1 only: the h2c client keeps its connection a while after the request, which would count here.
		for (String host : List.of(SHOP, BLOG)) {
			assertThat(Visitor.get(this.edge, host, "/hello").status()).as(host).isEqualTo(200);
		}
		await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			Resources now = Resources.now();
			assertThat(now.fileDescriptors()).as("open file descriptors; opened since: %s", now.openedSince(this.before)).isLessThanOrEqualTo(this.before.fileDescriptors() + 2);
			assertThat(now.directMemory()).as("direct memory in use")
				.isLessThanOrEqualTo(this.before.directMemory() + DIRECT_MEMORY_TOLERANCE);
		});
	}

	/** What a leak would show: the process's open file descriptors and Netty's direct memory. */
	record Resources(List<String> fileDescriptorTargets, long directMemory) {

		long fileDescriptors() {
			return this.fileDescriptorTargets.size();
		}

		/** The descriptors open now that were not open {@code before}, by target. */
		List<String> openedSince(Resources before) {
			List<String> opened = new ArrayList<>(this.fileDescriptorTargets);
			before.fileDescriptorTargets.forEach(opened::remove);
			return opened;
		}

		static Resources now() throws IOException {
			List<String> targets = new ArrayList<>();
			try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
				fds.forEach((fd) -> {
					try {
						targets.add(Files.readSymbolicLink(fd).toString());
					}
					catch (IOException ex) {
						// Closed while listed: not open.
					}
				});
			}
			long direct = Math.max(0, PlatformDependent.usedDirectMemory());
			if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider metrics) {
				direct += metrics.metric().usedDirectMemory();
			}
			return new Resources(targets, direct);
		}

	}

}
