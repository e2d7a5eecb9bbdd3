package dev.warp.edge.cluster;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import reactor.netty.resources.LoopResources;

/**
 * This node's HTTP/2 connections to the peer listeners of other nodes, over the cluster's mutual
 * TLS ({@link PeerTls}): a few per node, opened when a request first needs one and again when
 * one was lost. Requests to a node share them, one stream each.
 */
final class PeerConnections {

	/** Connections per node at most: one is opened when those open carry {@link #STREAMS_PER_CONNECTION} each. */
	private static final int MAX_PER_NODE = 8;

	/**
	 * Streams a connection carries before the next request opens another connection, well within
	 * what the peer listener allows ({@link PeerListener#MAX_CONCURRENT_STREAMS}).
	 */
	private static final int STREAMS_PER_CONNECTION = 100;

	/** Time to connect to another node, TLS handshake excluded. */
	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

	private final SslContext tls;

	private final LoopResources loops;

	private final EventLoopGroup group;

	private final ConcurrentMap<String, Node> nodes = new ConcurrentHashMap<>();

	private final ChannelGroup open = new DefaultChannelGroup("warp-peer-connections", GlobalEventExecutor.INSTANCE);

	PeerConnections(PeerTls tls, LoopResources loops) {
		try {
			this.tls = tls.client().sslContext();
		}
		catch (SSLException ex) {
			throw new IllegalStateException("Cannot set up TLS to other edge nodes: " + ex.getMessage(), ex);
		}
		this.loops = loops;
		// Colocated: a connection opened for a visitor's request runs on that visitor's event loop.
		this.group = loops.onClient(true);
	}

	/** Opens a stream to the node's peer listener; fails when the node cannot be connected to. */
	Future<Http2StreamChannel> openStream(Peer peer, ChannelHandler handler) {
		Promise<Http2StreamChannel> opened = ImmediateEventExecutor.INSTANCE.newPromise();
		Connection connection = this.nodes.computeIfAbsent(peer.address(), (address) -> new Node()).choose(peer);
		connection.active.incrementAndGet();
		connection.ready.addListener((Future<Channel> connected) -> {
			if (!connected.isSuccess()) {
				connection.active.decrementAndGet();
				opened.tryFailure(connected.cause());
				return;
			}
			new Http2StreamChannelBootstrap(connected.getNow()).option(ChannelOption.AUTO_READ, false)
				.handler(handler)
				.open()
				.addListener((Future<Http2StreamChannel> stream) -> {
					if (stream.isSuccess()) {
						stream.getNow().closeFuture().addListener((closed) -> connection.active.decrementAndGet());
						opened.trySuccess(stream.getNow());
					}
					else {
						connection.active.decrementAndGet();
						opened.tryFailure(stream.cause());
					}
				});
		});
		return opened;
	}

	/** Closes every connection to other nodes, waiting at most {@code timeout}. */
	void close(Duration timeout) {
		this.open.close().awaitUninterruptibly(timeout.toMillis());
	}

	/** Connects and shakes hands; the future completes once the connection takes streams. */
	private Future<Channel> connect(Peer peer) {
		Promise<Channel> ready = ImmediateEventExecutor.INSTANCE.newPromise();
		Bootstrap bootstrap = new Bootstrap().group(this.group)
			.channelFactory(() -> this.loops.onChannel(SocketChannel.class, this.group))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
			// As on the peer listener: the pooled allocator for the socket reads of fast bodies.
			.option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
			.handler(new ChannelInitializer<Channel>() {
				@Override
				protected void initChannel(Channel channel) {
					SslHandler handshake = PeerConnections.this.tls.newHandler(channel.alloc(), peer.host(), peer.port());
					SSLParameters parameters = handshake.engine().getSSLParameters();
					parameters.setEndpointIdentificationAlgorithm("HTTPS");
					handshake.engine().setSSLParameters(parameters);
					// Responses with header lists as large as the tunnel takes from an agent, their bodies
					// in frames as large as it takes too.
					Http2Settings settings = Http2Settings.defaultSettings()
						.pushEnabled(false)
						.initialWindowSize(PeerListener.STREAM_WINDOW)
						.maxFrameSize(PeerListener.MAX_FRAME_SIZE)
						.maxHeaderListSize(PeerListener.MAX_HEADER_LIST_SIZE);
					channel.pipeline()
						.addLast(handshake, Http2FrameCodecBuilder.forClient().initialSettings(settings).build(),
								new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
					handshake.handshakeFuture().addListener((shaken) -> {
						if (shaken.isSuccess()) {
							PeerConnectionWindow.enlarge(channel);
							ready.trySuccess(channel);
						}
						else {
							ready.tryFailure(shaken.cause());
							channel.close();
						}
					});
				}
			});
		bootstrap.connect(peer.host(), peer.port()).addListener((ChannelFuture connected) -> {
			if (connected.isSuccess()) {
				this.open.add(connected.channel());
			}
			else {
				ready.tryFailure(connected.cause());
			}
		});
		return ready;
	}

	/** One connection to a node: connecting, connected, or lost; and the streams it carries. */
	private static final class Connection {

		final Future<Channel> ready;

		final AtomicInteger active = new AtomicInteger();

		Connection(Future<Channel> ready) {
			this.ready = ready;
		}

		boolean lost() {
			return this.ready.isDone() && (!this.ready.isSuccess() || !this.ready.getNow().isActive());
		}

	}

	/** The connections to one node: the first with room takes a request, a lost one is opened again. */
	private final class Node {

		private final Connection[] connections = new Connection[MAX_PER_NODE];

		synchronized Connection choose(Peer peer) {
			int free = -1;
			Connection leastBusy = null;
			for (int i = 0; i < MAX_PER_NODE; i++) {
				Connection connection = this.connections[i];
				if (connection == null || connection.lost()) {
					free = (free < 0) ? i : free;
				}
				else if (connection.active.get() < STREAMS_PER_CONNECTION) {
					return connection;
				}
				else if (leastBusy == null || connection.active.get() < leastBusy.active.get()) {
					leastBusy = connection;
				}
			}
			if (free < 0) {
				return leastBusy;
			}
			this.connections[free] = new Connection(connect(peer));
			return this.connections[free];
		}

	}

}
