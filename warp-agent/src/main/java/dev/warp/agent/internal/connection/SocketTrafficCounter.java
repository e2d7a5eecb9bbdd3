package dev.warp.agent.internal.connection;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes of a tunnel connection's socket, below TLS: what the tunnel costs on the
 * network, bodies, headers, framing and heartbeats included. First in the pipeline; one
 * instance serves every connection of a tunnel.
 */
@ChannelHandler.Sharable
final class SocketTrafficCounter extends ChannelDuplexHandler {

	private final TunnelRecorder statistics;

	SocketTrafficCounter(TunnelRecorder statistics) {
		this.statistics = statistics;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		long bytes = size(msg);
		if (bytes > 0) {
			this.statistics.bytesReceived(bytes);
		}
		ctx.fireChannelRead(msg);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		long bytes = size(msg);
		if (bytes > 0) {
			this.statistics.bytesSent(bytes);
		}
		ctx.write(msg, promise);
	}

	private static long size(Object msg) {
		if (msg instanceof ByteBuf buffer) {
			return buffer.readableBytes();
		}
		if (msg instanceof ByteBufHolder holder) {
			return holder.content().readableBytes();
		}
		return 0;
	}

}
