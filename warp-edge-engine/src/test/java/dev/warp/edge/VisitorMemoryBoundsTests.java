package dev.warp.edge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.warp.edge.tunnel.TunnelConnection;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What HTTP/2 visitors who read nothing make the edge hold: many streams of a large download on
 * a few connections, each stream's window shut (SETTINGS_INITIAL_WINDOW_SIZE 0, never a
 * WINDOW_UPDATE). The edge holds a small window per stream and a bounded share per connection,
 * not a full stream window per stream; another tenant is served meanwhile, and the memory goes
 * back once the visitors leave.
 */
class VisitorMemoryBoundsTests {

	private static final String SHOP = TwoTenantEdge.ATTACKED;

	private static final int CONNECTIONS = 4;

	private static final int STREAMS = 64;

	private static final long DOWNLOAD = 64L * 1024 * 1024;

	/**
	 * What one such connection may make the edge hold: a small window per stream (64 KiB) and
	 * about as much on its way to the visitor, plus the connection's share of larger windows
	 * (4 MiB) and as much again for the allocator's granularity. Before the bound, each stream
	 * held its full window (1 MiB) and eight more buffers: over 72 MiB for these 64 streams.
	 */
	private static final long PER_CONNECTION = STREAMS * 128L * 1024 + 8L * 1024 * 1024;

	@TempDir
	Path dataDir;

	private TwoTenantEdge tenants;

	private EdgeNode edge;

	private TestAgent shop;

	@BeforeEach
	void start() throws Exception {
		this.tenants = TwoTenantEdge.start(this.dataDir);
		this.edge = this.tenants.edge;
		this.shop = this.tenants.attacked;
	}

	@AfterEach
	void stop() {
		this.tenants.close();
	}

	@Test
	void visitorsWhoReadNothingHoldABoundedShareOfTheEdgesMemoryAndGiveItBackWhenTheyLeave() throws Exception {
		// The allocator's arenas and caches warmed up by a download read whole.
		assertThat(Visitor.get(this.edge, SHOP, "/download?size=" + (4 * 1024 * 1024)).status()).isEqualTo(200);
		long before = pooledDirectMemory();
		attack(false);
		attack(false);
		long left = pooledDirectMemory() - before;
		System.out.printf("pooled direct memory above the start once the visitors of two attacks left: %d KiB%n",
				left / 1024);
		// The allocator keeps a few of its 4 MiB chunks; kept, each attack would add what the agent
		// sent (some 30 MiB).
		assertThat(left).as("edge's direct memory once the visitors of two attacks left")
			.isLessThan(2 * PER_CONNECTION);
	}

	@Test
	void visitorsWhoReadNothingHoldABoundedShareOfTheEdgesMemoryOnTheGeneralPathToo() throws Exception {
		assertThat(Visitor.get(this.edge, SHOP, "/download?size=" + (4 * 1024 * 1024)).status()).isEqualTo(200);
		attack(true);
	}

	/**
	 * Visitors who read nothing ask for the download on many streams; once the agent waits for
	 * every stream's window, the edge holds a bounded share of memory for them and serves the
	 * other tenant; then they leave, and the edge resets every one of their streams.
	 * @param generalPath whether each request has a body of no declared length (an empty DATA
	 * frame): the short path declines those, Reactor Netty's serves them
	 */
	private void attack(boolean generalPath) throws Exception {
		long before = pooledDirectMemory();
		long sentBefore = this.shop.downloaded.get();
		List<RawHttp2Visitor> visitors = new ArrayList<>();
		try {
			for (int c = 0; c < CONNECTIONS; c++) {
				RawHttp2Visitor visitor = new RawHttp2Visitor(this.edge.publicPort(), 0);
				visitors.add(visitor);
				for (int s = 0; s < STREAMS; s++) {
					visitor.headers(1 + 2 * s, RawHttp2Visitor.get(SHOP, "/download?size=" + DOWNLOAD), !generalPath);
					if (generalPath) {
						visitor.data(1 + 2 * s, new byte[0], true);
					}
				}
				visitor.flush();
			}
			awaitAgentStalled();
			long sent = this.shop.downloaded.get() - sentBefore;
			long held = pooledDirectMemory() - before;
			System.out.printf("%d connections x %d streams reading nothing: the agent sent %d KiB, the edge's pooled "
					+ "direct memory grew by %d KiB%n", CONNECTIONS, STREAMS, sent / 1024, held / 1024);
			assertThat(sent).as("bytes the agent got ahead of the visitors").isLessThan(CONNECTIONS * PER_CONNECTION);
			assertThat(held).as("edge's direct memory held for them").isLessThan(CONNECTIONS * PER_CONNECTION);
			this.tenants.assertTheOtherTenantIsServed();
		}
		finally {
			for (RawHttp2Visitor visitor : visitors) {
				visitor.close();
			}
		}
		TunnelConnection tunnel = this.edge.routeTable().select(SHOP);
		await().atMost(Duration.ofSeconds(10)).until(() -> tunnel.activeStreams() == 0);
	}

	/** Waits until the agent's downloads have not moved for two seconds: every stream waits for its window. */
	private void awaitAgentStalled() {
		AtomicLong last = new AtomicLong(-1);
		AtomicLong unchanged = new AtomicLong();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
			long now = this.shop.downloaded.get();
			boolean same = now == last.getAndSet(now);
			return (same ? unchanged.incrementAndGet() : unchanged.getAndSet(0)) >= 4;
		});
	}

	private static long pooledDirectMemory() {
		return PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
	}

}
