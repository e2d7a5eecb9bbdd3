package dev.warp.edge.visitor;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * Closes an HTTP/1.1 visitor's connection after a response the edge sent before the request's
 * body ended ({@code 413} for a body past the limit). Closing at once, with the rest of the body
 * unread in the socket, makes the kernel answer with a reset, which can destroy the response
 * before the client read it (RFC 9112 9.6): the client then reports a broken upload instead of
 * the {@code 413}. So the edge ends its side once the response is written (FIN), reads and
 * discards whatever still comes, before any decoder, and closes when the client does or after
 * {@value #LINGER_MILLIS} ms.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {

	static final String NAME = "warp.lingeringClose";

	/** How long the edge keeps reading and discarding a client that does not stop sending. */
	static final long LINGER_MILLIS = 2_000;

	private LingeringClose() {
	}

	/** Closes the connection so, once {@code written} (the response) completed. */
	static void after(ChannelFuture written) {
		written.addListener((future) -> {
			Channel channel = written.channel();
			if (!future.isSuccess() || !channel.isActive() || !(channel instanceof DuplexChannel duplex)) {
				channel.close();
				return;
			}
			if (channel.pipeline().get(NAME) == null) {
				channel.pipeline().addFirst(NAME, new LingeringClose());
			}
			channel.config().setAutoRead(true);
			channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
			duplex.shutdownOutput();
		});
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		ReferenceCountUtil.release(msg);
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		// Nothing reached the handlers behind: they have nothing to complete.
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
		// The client ended its side too (half-closure allowed or not): nothing more to wait for.
		if (event instanceof ChannelInputShutdownEvent) {
			ctx.close();
			return;
		}
		ctx.fireUserEventTriggered(event);
	}

}
