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
 * as long a silence as the configured number of unanswered PINGs, so it is replaced instead of
 * swallowing requests.
 * The codec answers the peer's own PINGs by itself. Both ends of a tunnel run one, so each
 * detects a dead peer on its own. Add it to the parent pipeline after the HTTP/2 codec.
 */
public final class Heartbeat extends ChannelInboundHandlerAdapter {

	private final long intervalNanos;

	private final int maxMissed;

	private final Consumer<Long> onRtt;

	private final Consumer<String> onDead;

	/** When this end last heard an answer (or started listening); nanoTime. */
	private long lastHeard;

	/**
	 * Ticks since this end last heard an answer. A tick is a chance the peer had to answer: when
	 * this end's own thread was held up (a busy machine, a pause), the wall-clock silence grows
	 * without the peer having been asked, and only ticks count as PINGs that went unanswered.
	 */
	private int ticksUnanswered;

	/** When the first PING went out; answers carrying an earlier time are not ours. */
	private long started;

	/**
	 * Whether the first answer came. It is not reported: it crosses a connection whose code paths
	 * have not been compiled yet (about 300 ms on loopback against well under 1 ms after), so a
	 * second PING goes out at once and the first figure reported is that one's.
	 */
	private boolean warmedUp;

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
		this.started = System.nanoTime();
		this.lastHeard = this.started;
		ping(ctx);
		// With a fixed delay, not a fixed rate: a busy event loop must not fire a burst of
		// catch-up ticks that would count as silence.
		this.timer = ctx.executor().scheduleWithFixedDelay(() -> tick(ctx), this.intervalNanos, this.intervalNanos,
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
		long silent = System.nanoTime() - this.lastHeard;
		this.ticksUnanswered++;
		if (this.ticksUnanswered >= this.maxMissed && silent >= this.intervalNanos * this.maxMissed) {
			handlerRemoved(ctx);
			this.onDead.accept(this.maxMissed + " heartbeats in a row went unanswered (silent for "
					+ TimeUnit.NANOSECONDS.toMillis(silent) + " ms): the peer or the network is gone");
			return;
		}
		ping(ctx);
	}

	private void ping(ChannelHandlerContext ctx) {
		ctx.writeAndFlush(new DefaultHttp2PingFrame(System.nanoTime(), false));
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof Http2PingFrame ping) {
			long now = System.nanoTime();
			long sent = ping.content();
			// Any answer to any of our PINGs shows the peer is alive, even a late one.
			if (ping.ack() && sent - this.started >= 0 && now - sent >= 0) {
				this.lastHeard = now;
				this.ticksUnanswered = 0;
				if (this.warmedUp) {
					this.onRtt.accept(now - sent);
				}
				else {
					this.warmedUp = true;
					ping(ctx);
				}
			}
			return;
		}
		ctx.fireChannelRead(msg);
	}

}
