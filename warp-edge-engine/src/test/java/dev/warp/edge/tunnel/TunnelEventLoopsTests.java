package dev.warp.edge.tunnel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link TunnelEventLoops}.
 */
class TunnelEventLoopsTests {

	private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(4, NioIoHandler.newFactory());

	private final TunnelEventLoops loops = new TunnelEventLoops(this.group);

	private final List<Channel> channels = new ArrayList<>();

	@AfterEach
	void shutDown() {
		this.channels.forEach(Channel::close);
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
	}

	@Test
	void spreadsConnectionsOverEveryLoopBeforeDoublingUpOnAny() {
		Set<EventLoop> used = new HashSet<>();
		for (int i = 0; i < 4; i++) {
			used.add(register().eventLoop());
		}
		assertThat(used).hasSize(4);
		for (EventLoop loop : used) {
			assertThat(this.loops.connectionsOn(loop)).isEqualTo(1);
		}
	}

	@Test
	void placesANewConnectionOnTheLoopWhoseConnectionClosed() {
		for (int i = 0; i < 4; i++) {
			register();
		}
		Channel closed = this.channels.get(2);
		closed.close().syncUninterruptibly();
		// The count drops in a listener of the close, which may run just after close() returns.
		await().atMost(Duration.ofSeconds(5)).until(() -> this.loops.connectionsOn(closed.eventLoop()) == 0);
		assertThat(register().eventLoop()).isSameAs(closed.eventLoop());
	}

	private Channel register() {
		Channel channel = new NioSocketChannel();
		this.channels.add(channel);
		this.loops.register(channel).syncUninterruptibly();
		return channel;
	}

}
