package dev.warp.edge.provisioning;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.warp.edge.limit.ClientAddress;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The failed attempts of client addresses: a window of a minute each, in bounded memory. */
class FailedAttemptsTests {

	private final AtomicLong now = new AtomicLong();

	private final FailedAttempts attempts = new FailedAttempts(3, this.now::get);

	@Test
	void addressMayTryAgainOnceItsMinuteIsOver() throws Exception {
		InetAddress address = InetAddress.getByName("192.0.2.1");
		for (int i = 0; i < 3; i++) {
			assertThat(this.attempts.retryAfterNanos(address)).isZero();
			this.attempts.failed(address);
		}
		this.now.addAndGet(TimeUnit.SECONDS.toNanos(20));
		assertThat(this.attempts.retryAfterNanos(address)).isEqualTo(TimeUnit.SECONDS.toNanos(40));
		assertThat(this.attempts.retryAfterNanos(InetAddress.getByName("192.0.2.2"))).isZero();
		this.now.addAndGet(TimeUnit.SECONDS.toNanos(40));
		assertThat(this.attempts.retryAfterNanos(address)).isZero();
	}

	@Test
	void anAttemptThatSucceededIsTakenBack() throws Exception {
		InetAddress address = InetAddress.getByName("192.0.2.1");
		for (int i = 0; i < 10; i++) {
			this.attempts.failed(address);
			this.attempts.succeeded(address);
		}
		assertThat(this.attempts.retryAfterNanos(address)).isZero();
	}

	@Test
	void parallelAttemptsAreCountedBeforeAnyOfThemEnds() throws Exception {
		InetAddress address = InetAddress.getByName("192.0.2.1");
		for (int i = 0; i < 3; i++) {
			assertThat(this.attempts.retryAfterNanos(address)).isZero();
			this.attempts.failed(address);
		}
		assertThat(this.attempts.retryAfterNanos(address)).isPositive();
	}

	@Test
	void addressesOfOneIpv6Slash64AreOneClient() throws Exception {
		for (int i = 1; i <= 3; i++) {
			this.attempts.failed(ClientAddress.of(new InetSocketAddress("2001:db8::" + i, 443)));
		}
		assertThat(this.attempts.retryAfterNanos(ClientAddress.of(new InetSocketAddress("2001:db8::ffff", 443))))
			.isPositive();
	}

	@Test
	void addressesBeyondTheTableShareOneAllowanceAndEndedWindowsAreForgotten() throws Exception {
		for (int i = 0; i < FailedAttempts.MAX_ADDRESSES; i++) {
			this.attempts.failed(address(i));
		}
		assertThat(this.attempts.size()).isEqualTo(FailedAttempts.MAX_ADDRESSES);
		InetAddress beyond = address(FailedAttempts.MAX_ADDRESSES);
		InetAddress other = address(FailedAttempts.MAX_ADDRESSES + 1);
		for (int i = 0; i < 3; i++) {
			this.attempts.failed((i % 2 == 0) ? beyond : other);
		}
		assertThat(this.attempts.size()).isEqualTo(FailedAttempts.MAX_ADDRESSES);
		assertThat(this.attempts.retryAfterNanos(beyond)).isPositive();
		assertThat(this.attempts.retryAfterNanos(other)).isPositive();
		this.now.addAndGet(TimeUnit.MINUTES.toNanos(1));
		this.attempts.failed(beyond);
		assertThat(this.attempts.size()).isEqualTo(1);
		assertThat(this.attempts.retryAfterNanos(beyond)).isZero();
	}

	private static InetAddress address(int i) throws Exception {
		return InetAddress.getByAddress(new byte[] { 10, (byte) (i >> 16), (byte) (i >> 8), (byte) i });
	}

}
