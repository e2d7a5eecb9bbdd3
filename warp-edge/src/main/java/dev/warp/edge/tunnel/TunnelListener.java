package dev.warp.edge.tunnel;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.warp.core.liveness.Heartbeat;
import dev.warp.edge.EdgeSettings;
import dev.warp.edge.pki.EdgeCredentials;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ImmediateEventExecutor;
import reactor.netty.resources.LoopResources;

/**
 * The listener agents dial: TLS 1.3 with ALPN {@code h2}, then HTTP/2 with the edge in the
 * <em>client</em> role. Each accepted connection becomes a {@link TunnelConnection}, which opens its
 * control stream and waits for the agent to register.
 */
public final class TunnelListener {

	/** Per-stream receive window, advertised in SETTINGS: how far an agent may run ahead of a visitor. */
	static final int STREAM_WINDOW = 1024 * 1024;

	/**
	 * Largest response header list an agent may send (Netty's default is 8 KiB): applications
	 * set large cookies and security headers, which must not turn into a 502.
	 */
	static final long MAX_RESPONSE_HEADER_LIST_SIZE = 64 * 1024;

	/** Receive window of the whole connection, shared by its streams. */
	static final int CONNECTION_WINDOW = 32 * 1024 * 1024;

	private final String nodeId;

	private final Channel serverChannel;

	private final ChannelGroup channels = new DefaultChannelGroup("warp-tunnel", ImmediateEventExecutor.INSTANCE);

	private final Set<TunnelConnection> connections = ConcurrentHashMap.newKeySet();

	private final AtomicLong connectionIds = new AtomicLong();

	private final SslContext sslContext;

	private final Path caCertificateFile;

	private final Duration registrationTimeout;

	private final EdgeSettings settings;

	private final TunnelConnectionListener listener;

	private TunnelListener(EdgeSettings settings, EdgeCredentials credentials, TunnelConnectionListener listener,
			LoopResources loops) {
		this.nodeId = settings.nodeId();
		this.settings = settings;
		this.sslContext = TunnelTls.serverContext(credentials);
		this.caCertificateFile = credentials.caCertificateFile();
		this.registrationTimeout = settings.registrationTimeout();
		this.listener = listener;
		String bindAddress = settings.bindAddress();
		int port = settings.tunnelPort();
		EventLoopGroup workers = loops.onServer(true);
		ServerBootstrap bootstrap = new ServerBootstrap().group(loops.onServerSelect(true), workers)
			.channel(loops.onChannelClass(ServerSocketChannel.class, workers))
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childHandler(new ChannelInitializer<SocketChannel>() {

				@Override
				protected void initChannel(SocketChannel channel) {
					accept(channel);
				}

			});
		ChannelFuture bound = bootstrap.bind(bindAddress, port).awaitUninterruptibly();
		if (!bound.isSuccess()) {
			throw new IllegalStateException("Cannot bind the tunnel listener to " + bindAddress + ":" + port + ": "
					+ bound.cause().getMessage(), bound.cause());
		}
		this.serverChannel = bound.channel();
	}

	/**
	 * Binds the tunnel listener.
	 * @param settings the node's settings: id, address, port, timeouts, heartbeats
	 * @param credentials the edge's tunnel certificate and CA
	 * @param listener told about registrations
	 * @param loops the event loops to run on
	 */
	public static TunnelListener bind(EdgeSettings settings, EdgeCredentials credentials,
			TunnelConnectionListener listener, LoopResources loops) {
		return new TunnelListener(settings, credentials, listener, loops);
	}

	/** The address the listener is bound to. */
	public InetSocketAddress address() {
		return (InetSocketAddress) this.serverChannel.localAddress();
	}

	/** Every open tunnel connection, registered or not. */
	public Collection<TunnelConnection> connections() {
		return List.copyOf(this.connections);
	}

	/** Stops accepting and closes every tunnel connection, waiting at most {@code timeout}. */
	public void close(Duration timeout) {
		this.serverChannel.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
		this.channels.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	private void accept(SocketChannel channel) {
		this.channels.add(channel);
		SslHandler tls = this.sslContext.newHandler(channel.alloc());
		// An agent that cannot finish TLS in the registration time would not register either.
		tls.setHandshakeTimeoutMillis(this.registrationTimeout.toMillis());
		channel.pipeline()
			.addLast("tls", tls)
			.addLast("alpn", new TunnelHandshake(this.caCertificateFile, this::startHttp2));
	}

	/**
	 * Installs HTTP/2 only now that TLS chose {@code h2}: the codec writes its preface as soon
	 * as it is added.
	 */
	private void startHttp2(ChannelHandlerContext ctx) {
		Channel channel = ctx.channel();
		TunnelConnection connection = new TunnelConnection(this.nodeId + "-t" + this.connectionIds.incrementAndGet(),
				this.nodeId, channel, this.registrationTimeout, this.listener);
		this.connections.add(connection);
		channel.closeFuture().addListener((closed) -> this.connections.remove(connection));
		Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
			.initialSettings(Http2Settings.defaultSettings()
				.initialWindowSize(STREAM_WINDOW)
				.pushEnabled(false)
				.maxHeaderListSize(MAX_RESPONSE_HEADER_LIST_SIZE))
			// More requests than the agent allows at once wait for a free stream instead of failing.
			.encoderEnforceMaxConcurrentStreams(true)
			.build();
		ChannelPipeline pipeline = ctx.pipeline();
		pipeline.addLast("h2", codec)
			.addLast("streams", new Http2MultiplexHandler(RefuseStreams.INSTANCE))
			.addLast("heartbeat", new Heartbeat(this.settings.heartbeatInterval().toNanos(),
					this.settings.heartbeatMaxMissed(), (rtt) -> {
						connection.rttMeasured(rtt);
						connection.health().rttMeasured(rtt);
					},
					(reason) -> connection.closeWithReason("the agent stopped answering: " + reason)))
			.addLast("tunnel", new TunnelConnectionHandler(connection, CONNECTION_WINDOW));
	}

	/** Agents cannot open streams (push is disabled); should one arrive anyway, it is reset. */
	@ChannelHandler.Sharable
	static final class RefuseStreams extends ChannelInboundHandlerAdapter {

		static final RefuseStreams INSTANCE = new RefuseStreams();

		@Override
		public void channelActive(ChannelHandlerContext ctx) {
			ctx.close();
		}

	}

}
