package dev.warp.edge.tunnel;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.concurrent.AbstractEventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * The request streams of one {@link TunnelConnection}: opens them, refusing a stream when the
 * connection takes no requests, counts those open, and closes the connection after the last one
 * once it is to close when idle.
 */
final class TunnelStreams {

	/** A task that only wakes an event loop: the tasks queued before it run ({@link #wakeUp}). */
	private static final Runnable NOTHING = () -> {
	};

	/**
	 * How a request stream counts its reads. A stream channel allocates no buffers (its frames
	 * come decoded from the connection), yet the default adaptive allocator builds a size
	 * calculator for each stream: a percent of the edge's CPU on small requests. Sixteen frames
	 * per read, as Netty's stream channels default to.
	 */
	private static final RecvByteBufAllocator STREAM_READS = new FixedRecvByteBufAllocator(1024).maxMessagesPerRead(16);

	private final TunnelConnection connection;

	private final Channel channel;

	private final AtomicInteger active = new AtomicInteger();

	private volatile boolean closeWhenIdle;

	TunnelStreams(TunnelConnection connection, Channel channel) {
		this.connection = connection;
		this.channel = channel;
	}

	/** Streams open right now, the control stream not included. */
	int active() {
		return this.active.get();
	}

	/** See {@link TunnelConnection#openStream(ChannelHandler, boolean)}. */
	Future<Http2StreamChannel> open(ChannelHandler handler, boolean wakeUp) {
		Promise<Http2StreamChannel> promise = this.channel.eventLoop().newPromise();
		this.active.incrementAndGet();
		promise.addListener((Future<Http2StreamChannel> future) -> {
			if (future.isSuccess()) {
				future.getNow().closeFuture().addListener((closed) -> closed());
			}
			else {
				closed();
			}
		});
		// Checked on the connection's own event loop, where draining starts: a stream opened after
		// the agent was told DRAIN_ACK would reach a connection about to close.
		Runnable open = () -> {
			if (!this.connection.isAvailable()) {
				promise.tryFailure(new StreamRefusedException(
						"tunnel connection " + this.connection.id() + " is " + this.connection.unavailability()));
				return;
			}
			new Http2StreamChannelBootstrap(this.channel).option(ChannelOption.AUTO_READ, false)
				.option(ChannelOption.RCVBUF_ALLOCATOR, STREAM_READS)
				.handler(handler)
				.open(promise);
		};
		EventLoop loop = this.channel.eventLoop();
		if (loop.inEventLoop()) {
			open.run();
		}
		else if (!wakeUp && loop instanceof AbstractEventExecutor lazy) {
			lazy.lazyExecute(open);
		}
		else {
			loop.execute(open);
		}
		return promise;
	}

	/** Wakes the connection's event loop for the streams opened without waking it; from another thread. */
	void wakeUp() {
		this.channel.eventLoop().execute(NOTHING);
	}

	/** The connection closes once no stream is open: at once when none is. */
	void closeWhenIdle() {
		this.closeWhenIdle = true;
		if (this.active.get() == 0) {
			this.channel.close();
		}
	}

	private void closed() {
		if (this.active.decrementAndGet() == 0 && this.closeWhenIdle) {
			this.channel.close();
		}
	}

}
