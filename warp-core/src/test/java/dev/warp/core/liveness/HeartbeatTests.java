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

}
