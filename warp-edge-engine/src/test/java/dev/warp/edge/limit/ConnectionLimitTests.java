package dev.warp.edge.limit;

import java.net.InetSocketAddress;

import dev.warp.edge.limit.ConnectionLimit.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ConnectionLimit}: one client's share, the total, and a map of clients that holds only
 * those with a connection.
 */
class ConnectionLimitTests {

	private static final InetSocketAddress FIRST = new InetSocketAddress("127.0.0.1", 40000);

	private static final InetSocketAddress SECOND = new InetSocketAddress("127.0.0.2", 40000);

	@Test
	void aClientAtItsShareIsRefusedWhileAnotherIsAdmitted() {
		ConnectionLimit limit = new ConnectionLimit(10, 2);
		assertThat(limit.acquire(FIRST)).isEqualTo(Verdict.ADMITTED);
		assertThat(limit.acquire(new InetSocketAddress("127.0.0.1", 40001))).isEqualTo(Verdict.ADMITTED);
		assertThat(limit.acquire(FIRST)).isEqualTo(Verdict.OVER_CLIENT);
		assertThat(limit.acquire(SECOND)).isEqualTo(Verdict.ADMITTED);
		assertThat(limit.held()).isEqualTo(3);
	}

	@Test
	void theTotalIsRefusedToEveryClient() {
		ConnectionLimit limit = new ConnectionLimit(2, 2);
		assertThat(limit.acquire(FIRST)).isEqualTo(Verdict.ADMITTED);
		assertThat(limit.acquire(SECOND)).isEqualTo(Verdict.ADMITTED);
		assertThat(limit.acquire(new InetSocketAddress("127.0.0.3", 1))).isEqualTo(Verdict.OVER_TOTAL);
		assertThat(limit.held()).isEqualTo(2);
	}

	@Test
	void aClientLeavesTheMapWhenItsLastConnectionIsReleased() {
		ConnectionLimit limit = new ConnectionLimit(1000, 1000);
		for (int i = 0; i < 500; i++) {
			assertThat(limit.acquire(new InetSocketAddress("127.0.1." + (i % 250), i))).isEqualTo(Verdict.ADMITTED);
		}
		assertThat(limit.clients()).isEqualTo(250);
		for (int i = 0; i < 500; i++) {
			limit.release(new InetSocketAddress("127.0.1." + (i % 250), i));
		}
		assertThat(limit.clients()).isZero();
		assertThat(limit.held()).isZero();
	}

	@Test
	void anIpv6ClientIsCountedByItsSlash64() {
		ConnectionLimit limit = new ConnectionLimit(10, 1);
		assertThat(limit.acquire(new InetSocketAddress("2001:db8:1:2::1", 1))).isEqualTo(Verdict.ADMITTED);
		assertThat(limit.acquire(new InetSocketAddress("2001:db8:1:2:ffff::9", 1))).isEqualTo(Verdict.OVER_CLIENT);
		assertThat(limit.acquire(new InetSocketAddress("2001:db8:1:3::1", 1))).isEqualTo(Verdict.ADMITTED);
	}

}
