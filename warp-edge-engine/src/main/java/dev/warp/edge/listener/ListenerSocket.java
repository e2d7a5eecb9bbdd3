package dev.warp.edge.listener;

import java.util.function.Consumer;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import reactor.netty.resources.LoopResources;

/**
 * Binds a listener's server socket on the edge's event loops, for connections that each get
 * their handlers from {@code accept}.
 */
public final class ListenerSocket {

	private ListenerSocket() {
	}

	/**
	 * Binds {@code host:port} and waits until it is bound.
	 * @param what the listener's name and the properties that set its address, for the error
	 * @param loops the edge's event loops: the server socket's, and the kind of channel they take
	 * @param workers the event loops of the accepted connections (of {@code loops}, or a view of them)
	 * @param accept sets up each accepted connection (called on its event loop)
	 * @return the server socket's channel
	 * @throws IllegalStateException when the address cannot be bound
	 */
	public static Channel bind(String what, String host, int port, LoopResources loops, EventLoopGroup workers,
			Consumer<SocketChannel> accept) {
		ServerBootstrap bootstrap = new ServerBootstrap().group(loops.onServerSelect(true), workers)
			.channel(loops.onChannelClass(ServerSocketChannel.class, loops.onServer(true)))
			.childOption(ChannelOption.TCP_NODELAY, true)
			// Netty's pooled allocator: the socket reads of a fast upload outgrow the default
			// adaptive allocator's pooled sizes and each took a fresh direct buffer from the JDK,
			// zeroed first; and the composite buffers TLS wraps are copied part by part.
			.childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
			.childHandler(new ChannelInitializer<SocketChannel>() {

				@Override
				protected void initChannel(SocketChannel channel) {
					accept.accept(channel);
				}

			});
		ChannelFuture bound = bootstrap.bind(host, port).awaitUninterruptibly();
		if (!bound.isSuccess()) {
			throw new IllegalStateException("Cannot bind the " + what + " to " + host + ":" + port + ": "
					+ bound.cause().getMessage(), bound.cause());
		}
		return bound.channel();
	}

}
