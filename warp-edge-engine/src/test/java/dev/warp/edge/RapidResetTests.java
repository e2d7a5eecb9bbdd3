package dev.warp.edge;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.warp.edge.visitor.PublicListener;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HTTP/2 rapid reset (CVE-2023-44487) over new connections: a visitor that opens streams and
 * resets them at once, again and again. The edge closes each such connection with GOAWAY
 * ENHANCE_YOUR_CALM, refuses the address's new connections for a while
 * ({@code edge.public.abuse-penalty}), and never opens on the tunnel a stream the visitor reset
 * before its request went there: the application barely sees the attack, and other clients and
 * tenants are served throughout.
 */
class RapidResetTests {

	private static final String SHOP = "shop.example.test";

	private static final String BLOG = "blog.example.test";

	/** The path the attacker's streams ask for: what reaches the agent with it counts. */
	private static final String ATTACK_PATH = "/attacked";

	/** The edge's RST_STREAM budget per connection and window (VisitorPipeline.MAX_RESETS). */
	private static final int MAX_RESETS = 200;

	private static final Duration PENALTY = Duration.ofSeconds(3);

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private TestAgent shop;

	private TestAgent blog;

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).abusePenalty(PENALTY, PENALTY.multipliedBy(4)).build());
		this.shop = TestAgent.connectRouted(this.edge, SHOP);
		this.blog = TestAgent.connectRouted(this.edge, BLOG);
	}

	@AfterEach
	void stop() {
		this.shop.close();
		this.blog.close();
		this.edge.close();
	}

	@Test
	void rapidResetOverNewConnectionsBarelyReachesTheApp() throws Exception {
		Duration attack = Duration.ofSeconds(6);
		int attackers = 4;
		AtomicInteger connections = new AtomicInteger();
		AtomicInteger goaways = new AtomicInteger();
		long started = System.nanoTime();
		ExecutorService executor = Executors.newFixedThreadPool(attackers);
		try {
			List<Future<?>> running = new ArrayList<>();
			for (int i = 0; i < attackers; i++) {
				running.add(executor.submit(() -> {
					// Bounded: at most this many connections each, for at most the attack's duration.
					for (int n = 0; n < 2000 && System.nanoTime() - started < attack.toNanos(); n++) {
						connections.incrementAndGet();
						if (rapidReset("127.0.0.1", 5 * MAX_RESETS) == Http2Error.ENHANCE_YOUR_CALM.code()) {
							goaways.incrementAndGet();
						}
					}
					return null;
				}));
			}
			for (Future<?> attacker : running) {
				attacker.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		double seconds = (System.nanoTime() - started) / 1e9;
		long reached = this.shop.requests.stream().filter(ATTACK_PATH::equals).count();
		System.out.printf("Rapid reset: %d connections, %d closed with GOAWAY ENHANCE_YOUR_CALM, %d streams reached the "
				+ "app in %.1f s (%.0f/s)%n", connections.get(), goaways.get(), reached, seconds, reached / seconds);
		assertThat(goaways.get()).as("connections closed for abuse").isGreaterThanOrEqualTo(1);
		assertThat(reached).as("streams that reached the app").isLessThan(MAX_RESETS / 4);
		assertServed("127.0.0.2", SHOP);
		assertServed("127.0.0.2", BLOG);
	}

	@Test
	void resetStreamsOfStreamedUploadsDoNotReachTheApp() throws Exception {
		// A POST whose body follows without a declared length: its exchange waits for the body,
		// and the reset ends it before it reaches the tunnel just the same.
		Http2Headers upload = new DefaultHttp2Headers().method("POST").scheme("http").authority(SHOP).path(ATTACK_PATH);
		assertThat(rapidReset("127.0.0.1", 5 * MAX_RESETS, upload, false)).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
		long reached = this.shop.requests.stream().filter(ATTACK_PATH::equals).count();
		System.out.printf("Rapid reset of streamed uploads: %d streams reached the app%n", reached);
		assertThat(reached).as("streams that reached the app").isLessThan(MAX_RESETS / 4);
		assertServed("127.0.0.2", SHOP);
	}

	@Test
	void afterTheAbuseGoawayTheAddressIsRefusedForThePenaltyWhileOthersAreServed() throws Exception {
		assertThat(rapidReset("127.0.0.1", 5 * MAX_RESETS)).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
		long penalized = System.nanoTime();
		assertThat(refusedAtOnce("127.0.0.1")).as("a new connection from the abusive address").isTrue();
		assertServed("127.0.0.2", SHOP);
		assertServed("127.0.0.2", BLOG);
		assertThat(this.edge.meterRegistry()
			.get("warp.edge.public.connections.refused")
			.tag("reason", "abuse-penalty")
			.functionCounter()
			.count()).isGreaterThanOrEqualTo(1);
		// Served again once the penalty is over, not before.
		await().atMost(PENALTY.multipliedBy(3)).pollInterval(Duration.ofMillis(200)).until(() -> !refusedAtOnce("127.0.0.1"));
		assertThat(Duration.ofNanos(System.nanoTime() - penalized)).isGreaterThanOrEqualTo(PENALTY.minusMillis(500));
		assertServed("127.0.0.1", SHOP);
	}

	/**
	 * Opens a connection from {@code clientAddress}, sends HEADERS and RST_STREAM for
	 * {@code streams} streams, and waits for the edge's GOAWAY or the connection's end.
	 * @return the error code of the GOAWAY the edge sent, or -1 for none (refused at once)
	 */
	private long rapidReset(String clientAddress, int streams) throws InterruptedException {
		return rapidReset(clientAddress, streams, RawHttp2Visitor.get(SHOP, ATTACK_PATH), true);
	}

	private long rapidReset(String clientAddress, int streams, Http2Headers request, boolean endStream)
			throws InterruptedException {
		try (RawHttp2Visitor attacker = new RawHttp2Visitor(this.edge.publicPort(), clientAddress)) {
			try {
				for (int i = 0; i < streams; i++) {
					int stream = 1 + 2 * i;
					attacker.headers(stream, request, endStream);
					attacker.reset(stream, Http2Error.CANCEL.code());
				}
				attacker.flush();
			}
			catch (IOException ex) {
				// The edge closed the connection while the attack was still being written.
			}
			// An attacker moves on to a new connection as soon as the edge says GOAWAY.
			RawHttp2Visitor.Frame frame;
			while ((frame = attacker.next(Duration.ofSeconds(10))) != null && frame != RawHttp2Visitor.CLOSED) {
				if (frame.type() == RawHttp2Visitor.GOAWAY) {
					return frame.errorCode();
				}
			}
		}
		catch (IOException ex) {
			// Refused before the preface could be written.
		}
		return -1;
	}

	/** Whether a new HTTP/2 connection from {@code clientAddress} is closed before the edge's SETTINGS. */
	private boolean refusedAtOnce(String clientAddress) throws InterruptedException {
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort(), clientAddress)) {
			visitor.flush();
			RawHttp2Visitor.Frame first = visitor.next(Duration.ofSeconds(5));
			assertThat(first).as("the edge's first frame, or the connection's end").isNotNull();
			return first == RawHttp2Visitor.CLOSED;
		}
		catch (IOException ex) {
			return true;
		}
	}

	/** A GET over a new HTTP/2 connection from {@code clientAddress} is answered 200. */
	private void assertServed(String clientAddress, String host) throws Exception {
		try (RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort(), clientAddress)) {
			visitor.headers(1, RawHttp2Visitor.get(host, "/hello"), true);
			visitor.flush();
			List<String> statuses = new ArrayList<>();
			io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder decoder = new io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder();
			RawHttp2Visitor.Frame frame;
			while (statuses.isEmpty() && (frame = visitor.next(Duration.ofSeconds(10))) != null
					&& frame != RawHttp2Visitor.CLOSED) {
				if (frame.type() == RawHttp2Visitor.HEADERS && frame.streamId() == 1) {
					statuses.add(String.valueOf(decoder
						.decodeHeaders(1, io.netty.buffer.Unpooled.wrappedBuffer(frame.payload()))
						.status()));
				}
			}
			assertThat(statuses).as(host + " from " + clientAddress).containsExactly("200");
		}
	}

}
