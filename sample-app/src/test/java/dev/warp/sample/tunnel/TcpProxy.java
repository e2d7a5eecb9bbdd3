package dev.warp.sample.tunnel;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * A TCP proxy on loopback that stands between agent and edge, so that a test can break the
 * network the way real networks break: cut every connection at once (an edge node dies, RST),
 * refuse new ones (the node stays down), or blackhole a connection (packets silently dropped,
 * sockets left open: no FIN, no RST).
 */
final class TcpProxy implements AutoCloseable {

	private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final int targetPort;

	private final Set<Link> links = ConcurrentHashMap.newKeySet();

	private volatile Channel server;

	private volatile int port;

	TcpProxy(int targetPort) {
		this.targetPort = targetPort;
		listen(0);
	}

	/** Where the agent should dial. */
	String address() {
		return "127.0.0.1:" + this.port;
	}

	/** Drops every connection abruptly (RST) and refuses new ones, as a dead host would. */
	void cut() {
		this.server.close().syncUninterruptibly();
		for (Link link : this.links) {
			link.abort();
		}
	}

	/** Accepts connections again, on the same port. */
	void restore() {
		listen(this.port);
	}

	/** Stops forwarding on every open connection, silently; new connections still work. */
	void blackholeOpenConnections() {
		this.links.forEach((link) -> link.blackholed = true);
	}

	/** Stops forwarding silently on the open connection whose edge-side local port this is. */
	boolean blackhole(int upstreamLocalPort) {
		for (Link link : this.links) {
			if (link.upstreamLocalPort() == upstreamLocalPort) {
				link.blackholed = true;
				return true;
			}
		}
		return false;
	}

	/** Drops abruptly the open connection whose edge-side local port this is. */
	boolean cut(int upstreamLocalPort) {
		for (Link link : this.links) {
			if (link.upstreamLocalPort() == upstreamLocalPort) {
				link.abort();
				return true;
			}
		}
		return false;
	}

	int openConnections() {
		return this.links.size();
	}

	private void listen(int port) {
		this.server = new ServerBootstrap().group(this.group)
			.channel(NioServerSocketChannel.class)
			.option(ChannelOption.SO_REUSEADDR, true)
			.childOption(ChannelOption.AUTO_READ, false)
			.childHandler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel downstream) {
					Link link = new Link(downstream);
					TcpProxy.this.links.add(link);
					downstream.closeFuture().addListener((closed) -> TcpProxy.this.links.remove(link));
					link.connect();
				}
			})
			.bind("127.0.0.1", port)
			.syncUninterruptibly()
			.channel();
		this.port = ((InetSocketAddress) this.server.localAddress()).getPort();
	}

	@Override
	public void close() {
		cut();
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
	}

	private final class Link {

		private final Channel downstream;

		private volatile Channel upstream;

		private volatile boolean blackholed;

		Link(Channel downstream) {
			this.downstream = downstream;
		}

		void connect() {
			new Bootstrap().group(this.downstream.eventLoop())
				.channel(NioSocketChannel.class)
				.option(ChannelOption.AUTO_READ, false)
				.handler(new Relay(this.downstream))
				.connect("127.0.0.1", TcpProxy.this.targetPort)
				.addListener((ChannelFutureListener) (future) -> {
					if (!future.isSuccess()) {
						this.downstream.close();
						return;
					}
					this.upstream = future.channel();
					this.downstream.pipeline().addLast(new Relay(this.upstream));
					this.downstream.read();
					this.upstream.read();
				});
		}

		int upstreamLocalPort() {
			Channel up = this.upstream;
			return (up != null) ? ((InetSocketAddress) up.localAddress()).getPort() : -1;
		}

		/** Closes both sides with RST, like a crashed host's kernel would. */
		void abort() {
			for (Channel channel : new Channel[] { this.downstream, this.upstream }) {
				if (channel != null && channel.isOpen()) {
					channel.config().setOption(ChannelOption.SO_LINGER, 0);
					channel.close();
				}
			}
		}

		private final class Relay extends ChannelInboundHandlerAdapter {

			private final Channel to;

			Relay(Channel to) {
				this.to = to;
			}

			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) {
				if (Link.this.blackholed || !this.to.isActive()) {
					ReferenceCountUtil.release(msg);
					ctx.read();
					return;
				}
				this.to.writeAndFlush((ByteBuf) msg).addListener((ChannelFutureListener) (future) -> {
					if (future.isSuccess()) {
						ctx.read();
					}
					else {
						ctx.close();
					}
				});
			}

			@Override
			public void channelInactive(ChannelHandlerContext ctx) {
				if (!Link.this.blackholed) {
					this.to.close();
				}
			}

			@Override
			public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
				ctx.close();
			}

		}

	}

}
