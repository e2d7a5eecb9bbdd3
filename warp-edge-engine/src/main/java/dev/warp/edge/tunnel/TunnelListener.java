package dev.warp.edge.tunnel;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.warp.core.liveness.Heartbeat;
import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.EdgeSettings;
import dev.warp.edge.listener.ListenerSocket;
import dev.warp.edge.pki.EdgeCredentials;
import dev.warp.edge.provisioning.FileWatch;
import dev.warp.edge.provisioning.RevokedCertificates;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.LoopResources;

/**
 * The listener agents dial: TLS 1.3 with ALPN {@code h2}, then HTTP/2 with the edge in the
 * <em>client</em> role. Each accepted connection becomes a {@link TunnelConnection}, which opens its
 * control stream and waits for the agent to register.
 */
public final class TunnelListener {

	private static final Logger logger = LoggerFactory.getLogger(TunnelListener.class);

	/**
	 * Largest DATA frame an agent may send, advertised in SETTINGS: a download's 64 KiB buffers
	 * cross as one frame each instead of four of the protocol's default 16 KiB, and every frame
	 * costs both ends the same work whatever its size (a tenth to a sixth of their CPU per gigabyte).
	 */
	static final int MAX_FRAME_SIZE = 64 * 1024;

	/**
	 * Largest response header list an agent may send (Netty's default is 8 KiB): applications
	 * set large cookies and security headers, which must not turn into a 502.
	 */
	static final long MAX_RESPONSE_HEADER_LIST_SIZE = 64 * 1024;

	/** RST_STREAM frames an agent may send per {@link #RESET_WINDOW_SECONDS} before its connection is closed. */
	static final int MAX_RESETS_PER_WINDOW = 1000;

	static final int RESET_WINDOW_SECONDS = 10;

	/**
	 * Receive window of the whole connection: HTTP/2's largest, as between nodes
	 * ({@code PeerConnectionWindow}) and at the agent, so that only each stream's own window
	 * ({@link StreamWindow}) bounds what one response holds here. A visitor who reads slowly
	 * holds its stream's window until it takes it; with 32 MiB, 32 slow downloads on one
	 * connection held all of it, and every other response on the connection waited with them.
	 */
	static final int CONNECTION_WINDOW = Integer.MAX_VALUE;

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

	private final RevokedCertificates revocations;

	private final Disposable revocationSweep;

	private final FileWatch revocationWatch;

	/** Failed handshakes, reported at most once a minute per kind: hostile peers can cause them at will. */
	private final TunnelHandshake.Failures handshakeFailures = TunnelHandshake.Failures.create();

	private final TunnelHandshakeLimit handshakes;

	/** Ends a connection's count in {@link #handshakes} once it authenticated: set on each channel at accept. */
	private static final AttributeKey<Runnable> AUTHENTICATED = AttributeKey.valueOf("warp.tunnel.authenticated");

	private TunnelListener(EdgeSettings settings, EdgeCredentials credentials, RevokedCertificates revocations,
			TunnelConnectionListener listener, TunnelHandshakeLimit handshakes, LoopResources loops) {
		this.handshakes = handshakes;
		this.nodeId = settings.nodeId();
		this.settings = settings;
		this.sslContext = TunnelTls.serverContext(credentials);
		this.caCertificateFile = credentials.caCertificateFile();
		this.registrationTimeout = settings.registrationTimeout();
		this.listener = listener;
		this.revocations = revocations;
		this.serverChannel = ListenerSocket.bind("tunnel listener",
				settings.bindAddress(), settings.tunnelPort(), loops, new TunnelEventLoops(loops.onServer(true)),
				this::accept);
		long sweep = settings.provisioning().revocationCheckInterval().toMillis();
		// Off the event loops: the check reads the revocation file. The watch acts within
		// milliseconds of a cert revoke; the sweep covers what a file system does not report (a
		// share written by another machine).
		this.revocationWatch = FileWatch.start(revocations.file(), this::closeRevoked);
		this.revocationSweep = Schedulers.boundedElastic()
			.schedulePeriodically(this::closeRevoked, sweep, sweep, TimeUnit.MILLISECONDS);
	}

	/**
	 * Binds the tunnel listener.
	 * @param settings the node's settings: id, address, port, timeouts, heartbeats
	 * @param credentials the edge's tunnel certificate and CA
	 * @param revocations origin certificates that may not connect any more
	 * @param listener told about registrations
	 * @param handshakes caps the connections that have not authenticated yet
	 * @param loops the event loops to run on
	 */
	public static TunnelListener bind(EdgeSettings settings, EdgeCredentials credentials,
			RevokedCertificates revocations, TunnelConnectionListener listener, TunnelHandshakeLimit handshakes,
			LoopResources loops) {
		return new TunnelListener(settings, credentials, revocations, listener, handshakes, loops);
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
		this.revocationWatch.close();
		this.revocationSweep.dispose();
		this.serverChannel.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
		this.channels.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	private void accept(SocketChannel channel) {
		// Refused before any TLS work: a flood of idle connections costs a descriptor each only
		// up to the limit, and only for the handshake timeout.
		Runnable authenticated = this.handshakes.admit(channel);
		if (authenticated == null) {
			return;
		}
		channel.attr(AUTHENTICATED).set(authenticated);
		this.channels.add(channel);
		SslHandler tls = this.sslContext.newHandler(channel.alloc());
		tls.setHandshakeTimeoutMillis(this.settings.tunnelHandshakeTimeout().toMillis());
		channel.pipeline()
			.addLast("tls", tls)
			.addLast("alpn", new TunnelHandshake(this.caCertificateFile, this.handshakeFailures, this::startHttp2));
	}

	/**
	 * Installs HTTP/2 only now that TLS chose {@code h2}: the codec writes its preface as soon
	 * as it is added.
	 */
	private void startHttp2(ChannelHandlerContext ctx) {
		Channel channel = ctx.channel();
		X509Certificate certificate = OriginCertificate.of(ctx.pipeline().get(SslHandler.class));
		if (certificate == null) {
			ctx.close();
			return;
		}
		// Authenticated: the agent's origin certificate is valid and not revoked.
		channel.attr(AUTHENTICATED).getAndSet(null).run();
		TunnelConnection connection = new TunnelConnection(this.nodeId + "-t" + this.connectionIds.incrementAndGet(),
				this.nodeId, channel, this.registrationTimeout, this.listener, certificate);
		// Known to the revocation check before this check: a revocation read in between finds it there.
		this.connections.add(connection);
		channel.closeFuture().addListener((closed) -> this.connections.remove(connection));
		if (this.revocations.isRevoked(certificate)) {
			this.handshakeFailures.refused().occurred("edge refused agent " + TunnelHandshake.format(
					channel.remoteAddress()) + ": its origin certificate " + certificate.getSerialNumber().toString(16)
					+ " is revoked");
			ctx.close();
			return;
		}
		Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
			.initialSettings(Http2Settings.defaultSettings()
				// Small at first: a stream's window grows as its visitor takes the response (StreamWindow).
				.initialWindowSize(StreamWindow.INITIAL)
				.maxFrameSize(MAX_FRAME_SIZE)
				.pushEnabled(false)
				.maxHeaderListSize(MAX_RESPONSE_HEADER_LIST_SIZE))
			// More requests than the agent allows at once wait for a free stream instead of failing.
			.encoderEnforceMaxConcurrentStreams(true)
			// A ray id is new in every request: adding it to the HPACK table would only evict the
			// headers that repeat (host, user agent, forwarding headers) and cost their re-encoding.
			.headerSensitivityDetector(TunnelListener::isUniquePerRequest)
			// An agent resets a stream when its application fails mid-response; a flood of RST_STREAM
			// frames (e.g. for streams long closed, which cost nothing to send) is an attack and
			// closes the connection with ENHANCE_YOUR_CALM.
			.decoderEnforceMaxRstFramesPerWindow(MAX_RESETS_PER_WINDOW, RESET_WINDOW_SECONDS)
			// The edge resets a stream for each visitor who goes away: however many do, that must
			// not close the tunnel connection.
			.encoderEnforceMaxRstFramesPerWindow(0, 0)
			.build();
		ChannelPipeline pipeline = ctx.pipeline();
		// Requests of many visitors go down one connection: their HEADERS frames leave in one TLS
		// write at the end of the event loop's turn, not one write (and syscall) per request.
		pipeline.addLast("flushes", new FlushConsolidationHandler(
				FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true))
			.addLast("h2", codec)
			.addLast("streams", new Http2MultiplexHandler(RefuseStreams.INSTANCE))
			.addLast("heartbeat", new Heartbeat(this.settings.heartbeatInterval().toNanos(),
					this.settings.heartbeatMaxMissed(), (rtt) -> {
						connection.rttMeasured(rtt);
						connection.health().rttMeasured(rtt);
					},
					(reason) -> connection.closeWithReason("the agent stopped answering: " + reason)))
			.addLast("tunnel", new TunnelConnectionHandler(connection, CONNECTION_WINDOW));
	}

	/**
	 * Closes connections whose origin certificate was revoked since they connected; the list is
	 * read again first, so that {@code cert revoke} run beside a running edge takes effect here.
	 */
	private void closeRevoked() {
		try {
			this.revocations.reload();
		}
		catch (RuntimeException ex) {
			logger.warn("Cannot read the revoked certificates; open tunnel connections are not checked: {}", ex.getMessage());
			return;
		}
		for (TunnelConnection connection : this.connections) {
			if (this.revocations.isRevoked(connection.certificate())) {
				connection.closeWithReasonLater("its origin certificate " + connection.certificate().getSerialNumber()
					.toString(16) + " was revoked");
			}
		}
	}

	private static boolean isUniquePerRequest(CharSequence name, CharSequence value) {
		return AsciiString.contentEqualsIgnoreCase(name, TunnelProtocol.RAY_HEADER);
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
