package dev.warp.core.liveness;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * Sends an HTTP/2 PING every interval and measures the round trip from its ACK. A connection
 * whose peer stops answering (packets silently dropped: no FIN, no RST) is declared dead after
 * the configured number of unanswered PINGs, so it is replaced instead of swallowing requests.
 * The codec answers the peer's own PINGs by itself. Both ends of a tunnel run one, so each
 * detects a dead peer on its own. Add it to the parent pipeline after the HTTP/2 codec.
 */
public final class Heartbeat extends ChannelInboundHandlerAdapter {

	private final long intervalNanos;

	private final int maxMissed;

	private final Consumer<Long> onRtt;

	private final Consumer<String> onDead;

	private long outstanding = -1;

	private int missed;

	private @Nullable ScheduledFuture<?> timer;

	/**
	 * @param intervalNanos time between two PINGs
	 * @param maxMissed unanswered PINGs in a row after which the peer is dead
	 * @param onRtt told every measured round trip, in nanoseconds
	 * @param onDead told once why the peer is considered dead; it should close the channel
	 */
	public Heartbeat(long intervalNanos, int maxMissed, Consumer<Long> onRtt, Consumer<String> onDead) {
		this.intervalNanos = intervalNanos;
		this.maxMissed = maxMissed;
		this.onRtt = onRtt;
		this.onDead = onDead;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		ping(ctx);
		this.timer = ctx.executor().scheduleAtFixedRate(() -> tick(ctx), this.intervalNanos, this.intervalNanos,
				TimeUnit.NANOSECONDS);
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		if (this.timer != null) {
			this.timer.cancel(false);
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		handlerRemoved(ctx);
		ctx.fireChannelInactive();
	}

	private void tick(ChannelHandlerContext ctx) {
		if (this.outstanding >= 0) {
			this.missed++;
			if (this.missed >= this.maxMissed) {
				handlerRemoved(ctx);
				this.onDead.accept(this.missed + " heartbeats in a row went unanswered ("
						+ TimeUnit.NANOSECONDS.toMillis(this.intervalNanos * this.missed) + " ms): the peer or the network is gone");
				return;
			}
		}
		ping(ctx);
	}

	private void ping(ChannelHandlerContext ctx) {
		this.outstanding = System.nanoTime();
		ctx.writeAndFlush(new DefaultHttp2PingFrame(this.outstanding, false));
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof Http2PingFrame ping) {
			if (ping.ack() && ping.content() == this.outstanding) {
				this.onRtt.accept(System.nanoTime() - this.outstanding);
				this.outstanding = -1;
				this.missed = 0;
			}
			return;
		}
		ctx.fireChannelRead(msg);
	}

}
