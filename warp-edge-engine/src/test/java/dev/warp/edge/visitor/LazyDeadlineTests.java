package dev.warp.edge.visitor;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LazyDeadlineTests {

	private static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

	private final EventLoop loop = new DefaultEventLoop();

	private final AtomicInteger expiries = new AtomicInteger();

	private final LazyDeadline deadline = new LazyDeadline(this.loop, TIMEOUT_NANOS, this.expiries::incrementAndGet);

	@AfterEach
	void stop() {
		this.loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
	}

	@Test
	void expiresOnceWhenSetAndNotCleared() throws Exception {
		long start = System.nanoTime();
		onLoop(() -> this.deadline.set());
		await().atMost(Duration.ofSeconds(5)).until(() -> this.expiries.get() == 1);
		assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TIMEOUT_NANOS);
		Thread.sleep(3 * TIMEOUT_NANOS / 1_000_000);
		assertThat(this.expiries).hasValue(1);
	}

	@Test
	void doesNotExpireOnceCleared() throws Exception {
		onLoop(() -> {
			this.deadline.set();
			this.deadline.clear();
		});
		Thread.sleep(3 * TIMEOUT_NANOS / 1_000_000);
		assertThat(this.expiries).hasValue(0);
	}

	@Test
	void settingItAgainMovesTheExpiryToTheTimeoutFromThen() throws Exception {
		onLoop(() -> this.deadline.set());
		Thread.sleep(TIMEOUT_NANOS / 2 / 1_000_000);
		long reset = System.nanoTime();
		onLoop(() -> {
			this.deadline.clear();
			this.deadline.set();
		});
		await().atMost(Duration.ofSeconds(5)).until(() -> this.expiries.get() == 1);
		assertThat(System.nanoTime() - reset).isGreaterThanOrEqualTo(TIMEOUT_NANOS);
	}

	@Test
	void cancelledDeadlineDoesNotExpireAndCanBeSetAgain() throws Exception {
		onLoop(() -> {
			this.deadline.set();
			this.deadline.cancel();
		});
		Thread.sleep(3 * TIMEOUT_NANOS / 1_000_000);
		assertThat(this.expiries).hasValue(0);
		onLoop(() -> this.deadline.set());
		await().atMost(Duration.ofSeconds(5)).until(() -> this.expiries.get() == 1);
	}

	private void onLoop(Runnable task) throws Exception {
		this.loop.submit(task).get(5, TimeUnit.SECONDS);
	}

}
