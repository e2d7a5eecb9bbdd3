package dev.warp.core.liveness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Heartbeat}.
 */
class HeartbeatTests {

	@Test
	void theFirstRoundTripIsAWarmUpAndTheNextPingGoesAtOnce() {
		List<Long> rtts = new ArrayList<>();
		EmbeddedChannel channel = new EmbeddedChannel(
				new Heartbeat(TimeUnit.SECONDS.toNanos(5), 3, rtts::add, (reason) -> { }));
		Http2PingFrame first = channel.readOutbound();
		channel.writeInbound(new DefaultHttp2PingFrame(first.content(), true));
		assertThat(rtts).isEmpty();
		Http2PingFrame second = channel.readOutbound();
		assertThat(second).isNotNull();
		channel.writeInbound(new DefaultHttp2PingFrame(second.content(), true));
		assertThat(rtts).hasSize(1);
		assertThat((Object) channel.readOutbound()).isNull();
		channel.finishAndReleaseAll();
	}

	@Test
	void aPeerIsNotDeclaredDeadForTheTimeThisEndsOwnThreadWasHeldUp() throws InterruptedException {
		List<String> deaths = new ArrayList<>();
		EmbeddedChannel channel = new EmbeddedChannel(
				new Heartbeat(TimeUnit.MILLISECONDS.toNanos(20), 3, (rtt) -> { }, deaths::add));
		answer(channel);
		answer(channel);
		// This end's thread gets no core for ten intervals: no PING went out meanwhile.
		Thread.sleep(200);
		channel.runScheduledPendingTasks();
		assertThat(deaths).isEmpty();
		answer(channel);
		assertThat(deaths).isEmpty();
		channel.finishAndReleaseAll();
	}

	@Test
	void aPeerThatAnswersNoPingIsDeclaredDeadAfterTheMissedPings() throws InterruptedException {
		List<String> deaths = new ArrayList<>();
		EmbeddedChannel channel = new EmbeddedChannel(
				new Heartbeat(TimeUnit.MILLISECONDS.toNanos(20), 3, (rtt) -> { }, deaths::add));
		for (int tick = 0; tick < 10 && deaths.isEmpty(); tick++) {
			Thread.sleep(25);
			channel.runScheduledPendingTasks();
		}
		assertThat(deaths).singleElement().asString().startsWith("3 heartbeats in a row went unanswered");
		channel.finishAndReleaseAll();
	}

	/** Answers the PING the heartbeat sent last. */
	private static void answer(EmbeddedChannel channel) {
		Http2PingFrame ping = null;
		for (Object sent = channel.readOutbound(); sent != null; sent = channel.readOutbound()) {
			ping = (Http2PingFrame) sent;
		}
		assertThat(ping).isNotNull();
		channel.writeInbound(new DefaultHttp2PingFrame(ping.content(), true));
	}

}
