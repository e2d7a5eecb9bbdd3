package dev.warp.edge.tunnel;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.warp.core.pki.CertificateNames;
import dev.warp.core.protocol.ControlMessage;
import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.log.LogText;
import dev.warp.edge.log.RepeatedWarning;
import dev.warp.edge.provisioning.OriginAccount;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.concurrent.AbstractEventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tunnel connection an agent dialled: TLS 1.3, HTTP/2 with the edge as client. Knows what
 * the agent registered on the control stream, and opens one stream per visitor request.
 *
 * <p>State changes happen on the connection's event loop; the accessors may be read from any
 * thread.
 */
public final class TunnelConnection {

	private static final Logger logger = LoggerFactory.getLogger(TunnelConnection.class);

	/** Agents retry a refused registration: one line a minute says how many were refused. */
	private static final RepeatedWarning refusedRegistrations = new RepeatedWarning(logger,
			"tunnel registration(s) refused");

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

	private final String id;

	private final String nodeId;

	private final Channel channel;

	private final String remoteAddress;

	private final Duration registrationTimeout;

	private final TunnelConnectionListener listener;

	private final AtomicInteger activeStreams = new AtomicInteger();

	private volatile ConnectionState state = ConnectionState.CONNECTED;

	private volatile Instant since = Instant.now();

	private volatile @Nullable String hostname;

	private volatile @Nullable String agentId;

	private volatile @Nullable String agentConnection;

	private volatile boolean closeWhenIdle;

	/** Whether the edge lets the connection take requests; false while the cluster checks its account. */
	private volatile boolean admitted = true;

	/** Whether the agent's application accepts traffic (its readiness); the connection stays open either way. */
	private volatile boolean ready = true;

	private final ConnectionHealth health;

	/** Whether the agent advertised SETTINGS_ENABLE_CONNECT_PROTOCOL: WebSockets as RFC 8441 streams. */
	private volatile boolean acceptsWebSockets;

	private volatile long rttNanos = -1;

	private @Nullable ScheduledFuture<?> registrationTimer;

	private @Nullable ControlStream controlStream;

	private @Nullable String closeReason;

	private boolean routed;

	private final X509Certificate certificate;

	private final String account;

	private @Nullable ScheduledFuture<?> expiryTimer;

	private @Nullable ScheduledFuture<?> expiryDrainTimer;

	/** How long before its certificate expires a connection the agent has not replaced yet drains, at most. */
	static final Duration EXPIRY_DRAIN_MARGIN = Duration.ofSeconds(30);

	TunnelConnection(String id, String nodeId, Channel channel, Duration registrationTimeout,
			TunnelConnectionListener listener, X509Certificate certificate) {
		this.certificate = certificate;
		this.account = OriginAccount.of(certificate);
		this.id = id;
		this.nodeId = nodeId;
		this.channel = channel;
		this.remoteAddress = format(channel.remoteAddress());
		this.registrationTimeout = registrationTimeout;
		this.listener = listener;
		this.health = ConnectionHealth.attachTo(channel);
	}

	/** The edge-side id of this connection, unique within the node. */
	public String id() {
		return this.id;
	}

	/** The agent's address, {@code host:port}. */
	public String remoteAddress() {
		return this.remoteAddress;
	}

	public ConnectionState state() {
		return this.state;
	}

	/** When the connection reached its current registration state (connected, registered, draining). */
	public Instant since() {
		return this.since;
	}

	/** The hostname the agent registered (normalized), or {@code null} before it registered. */
	public @Nullable String hostname() {
		return this.hostname;
	}

	/** The agent's id, or {@code null} before it registered. */
	public @Nullable String agentId() {
		return this.agentId;
	}

	/** The agent's own number for this connection, or {@code null} before it registered. */
	public @Nullable String agentConnection() {
		return this.agentConnection;
	}

	/** Streams open on this connection right now, the control stream not included. */
	public int activeStreams() {
		return this.activeStreams.get();
	}

	/**
	 * Whether new requests may be sent here: registered, not draining, the application accepts
	 * traffic, and the socket is open.
	 */
	public boolean isAvailable() {
		return this.state == ConnectionState.REGISTERED && this.ready && this.admitted && this.channel.isActive();
	}

	/** Takes no requests until {@link #admit()}: its registration is still being checked. */
	public void holdUntilAdmitted() {
		this.admitted = false;
	}

	/** Takes requests: its registration was checked. */
	public void admit() {
		this.admitted = true;
	}

	/**
	 * Refuses the registration after all, from any thread: leaves routing, tells the agent why,
	 * then closes.
	 */
	public void refuseLater(String why) {
		this.channel.eventLoop().execute(() -> {
			leaveRouting(ConnectionState.CONNECTED);
			refuse(why);
		});
	}

	/**
	 * Whether the agent's application accepts traffic: {@code false} after the agent said
	 * {@code not-ready}, until it says {@code ready}. The connection stays registered meanwhile.
	 */
	public boolean isReady() {
		return this.ready;
	}

	/**
	 * Whether the calling thread is this connection's event loop: a request that arrived there
	 * is sent on this connection without a hop to another thread and back.
	 */
	public boolean isOnCurrentEventLoop() {
		return this.channel.eventLoop().inEventLoop();
	}

	/**
	 * Whether the agent takes WebSockets: it advertised {@code SETTINGS_ENABLE_CONNECT_PROTOCOL}
	 * (RFC 8441), without which it would answer an extended CONNECT with 404.
	 */
	public boolean acceptsWebSockets() {
		return this.acceptsWebSockets;
	}

	/** The agent's SETTINGS: each frame may change only some of them. */
	void settingsReceived(Http2Settings settings) {
		Boolean connectProtocol = settings.connectProtocolEnabled();
		if (connectProtocol != null) {
			this.acceptsWebSockets = connectProtocol;
		}
	}

	/** How this connection serves requests: answered and failed ones, latency, error rate. */
	public ConnectionHealth health() {
		return this.health;
	}

	/**
	 * Opens a stream for one request. The stream's channel does not read by itself
	 * ({@code AUTO_READ} off): whoever consumes the response calls {@code read()} when it wants
	 * more, so HTTP/2 flow control slows the agent down to the visitor's pace.
	 * @param handler the stream's handler
	 * @return the stream, once opened (it fails if the connection is gone)
	 */
	public Future<Http2StreamChannel> openStream(ChannelHandler handler) {
		return openStream(handler, true);
	}

	/**
	 * Opens a stream, as {@link #openStream(ChannelHandler)} does.
	 * @param wakeUp whether the connection's event loop, when it is another thread's and idle, is
	 * woken for it now; without, the stream opens the next time the loop wakes, which the caller
	 * then makes happen with {@link #wakeUp()}, once for many streams
	 */
	public Future<Http2StreamChannel> openStream(ChannelHandler handler, boolean wakeUp) {
		Promise<Http2StreamChannel> promise = this.channel.eventLoop().newPromise();
		this.activeStreams.incrementAndGet();
		promise.addListener((Future<Http2StreamChannel> future) -> {
			if (future.isSuccess()) {
				future.getNow().closeFuture().addListener((closed) -> streamClosed());
			}
			else {
				streamClosed();
			}
		});
		// Checked on the connection's own event loop, where draining starts: a stream opened after
		// the agent was told DRAIN_ACK would reach a connection about to close.
		Runnable open = () -> {
			if (!isAvailable()) {
				promise.tryFailure(new StreamRefusedException("tunnel connection " + this.id + " is " + unavailability()));
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

	/** Why {@link #isAvailable()} is false: the socket closed before the state says so, or the app is not ready. */
	private String unavailability() {
		if (!this.channel.isActive()) {
			return "closed";
		}
		if (this.state == ConnectionState.REGISTERED && !this.ready) {
			return "not ready (the application refuses traffic)";
		}
		if (this.state == ConnectionState.REGISTERED && !this.admitted) {
			return "not admitted yet (its account is being checked)";
		}
		return this.state.label();
	}

	/** Wakes the connection's event loop for the streams opened without waking it; from another thread. */
	public void wakeUp() {
		this.channel.eventLoop().execute(NOTHING);
	}

	/** Closes the connection at once; streams in flight fail. */
	public void close() {
		this.channel.close();
	}

	/**
	 * Sends a control message to the agent on the control stream.
	 * @return whether the control stream was open to take it
	 */
	public boolean send(ControlMessage message) {
		ControlStream stream = this.controlStream;
		return stream != null && stream.send(message);
	}

	/** The last round trip measured by the edge's heartbeat, in nanoseconds; {@code -1} before the first. */
	public long rttNanos() {
		return this.rttNanos;
	}

	/** The agent's origin certificate, from the TLS handshake. */
	public X509Certificate certificate() {
		return this.certificate;
	}

	/** The account of the agent's origin certificate ({@link OriginAccount}): the zone of its token. */
	public String account() {
		return this.account;
	}

	void rttMeasured(long nanos) {
		this.rttNanos = nanos;
	}

	Channel channel() {
		return this.channel;
	}

	/** Called on the event loop once HTTP/2 is set up: opens the control stream. */
	void start() {
		this.registrationTimer = this.channel.eventLoop()
			.schedule(this::registrationTimedOut, this.registrationTimeout.toMillis(), TimeUnit.MILLISECONDS);
		// A long-lived connection must not outlive its certificate: the agent renews before this.
		// Should it not have replaced this connection yet, the connection drains a little before
		// the end, so that its requests finish and the agent opens another, and only then closes.
		long untilExpiry = this.certificate.getNotAfter().getTime() - System.currentTimeMillis();
		long drainMargin = Math.min(EXPIRY_DRAIN_MARGIN.toMillis(), Math.max(0, untilExpiry) / 10);
		this.expiryDrainTimer = this.channel.eventLoop()
			.schedule(() -> drainByEdge("its origin certificate " + this.certificate.getSerialNumber().toString(16)
					+ " expires at " + this.certificate.getNotAfter().toInstant()), Math.max(0, untilExpiry - drainMargin),
					TimeUnit.MILLISECONDS);
		this.expiryTimer = this.channel.eventLoop()
			.schedule(() -> closeWithReason("its origin certificate " + this.certificate.getSerialNumber().toString(16)
					+ " expired at " + this.certificate.getNotAfter().toInstant()), Math.max(0, untilExpiry),
					TimeUnit.MILLISECONDS);
		ControlStream stream = new ControlStream(this, this.nodeId);
		this.controlStream = stream;
		new Http2StreamChannelBootstrap(this.channel).handler(stream).open().addListener((Future<Http2StreamChannel> f) -> {
			if (!f.isSuccess()) {
				closeWithReason("cannot open the control stream: " + f.cause());
			}
		});
	}

	/** A message from the agent on the control stream. */
	void controlMessage(ControlMessage message) {
		if (this.state == ConnectionState.CONNECTED) {
			register(message);
			return;
		}
		switch (message.type()) {
			case ControlMessage.DRAIN -> {
				drain("the agent asked to drain");
				// After the state change, on this event loop: every stream opened before it is on
				// the wire before this acknowledgement.
				send(ControlMessage.of(ControlMessage.DRAIN_ACK));
			}
			case ControlMessage.REGISTER -> logger.warn("Tunnel connection {} from {} registered again; ignored: {}", this.id,
					this.remoteAddress, LogText.escape(message.toString()));
			case ControlMessage.READY -> readiness(true);
			case ControlMessage.NOT_READY -> readiness(false);
			// Later versions may send more: ignoring what is unknown keeps old edges working.
			default -> logger.debug("Tunnel connection {}: ignored control message {}", this.id,
					LogText.escape(message.toString()));
		}
	}

	private void readiness(boolean ready) {
		if (this.ready != ready) {
			this.ready = ready;
			logger.info("Tunnel connection {} for {} (agent {}): the application {}", this.id, this.hostname,
					LogText.escape(this.agentId),
					ready ? "accepts traffic again" : "refuses traffic; no new requests until it is ready");
		}
	}

	private void register(ControlMessage message) {
		if (!ControlMessage.REGISTER.equals(message.type())) {
			closeWithReason("the agent's first control message is '" + message.type() + "', expected 'register'");
			return;
		}
		String version = message.get("version");
		if (version != null && !version.equals(String.valueOf(TunnelProtocol.VERSION))) {
			closeWithReason("the agent speaks tunnel protocol version " + version + ", this edge speaks "
					+ TunnelProtocol.VERSION);
			return;
		}
		String name = TunnelProtocol.routingHostname(message.get("hostname"));
		if (name == null) {
			closeWithReason("the agent's register message has no hostname: " + message);
			return;
		}
		if (!CertificateNames.dnsNames(this.certificate).contains(name)) {
			closeWithReason("the agent registered " + name + " but its origin certificate is for "
					+ CertificateNames.dnsNames(this.certificate) + "; an origin certificate serves its own hostname only");
			return;
		}
		cancelRegistrationTimer();
		this.hostname = name;
		this.agentId = (message.get("agent") != null) ? message.get("agent") : "unknown";
		this.agentConnection = message.get("connection");
		this.ready = !"false".equals(message.get(ControlMessage.READY_ATTRIBUTE));
		this.since = Instant.now();
		this.state = ConnectionState.REGISTERED;
		this.routed = true;
		String refusal = this.listener.registered(this);
		if (refusal != null) {
			this.routed = false;
			this.state = ConnectionState.CONNECTED;
			refuse(refusal);
			return;
		}
		logger.info("Tunnel connection {} from {} registered {} (agent {}, connection {}, account zone {})", this.id,
				this.remoteAddress, name, LogText.escape(this.agentId), LogText.escape(this.agentConnection), this.account);
		// The agent counts itself registered only once the route exists.
		send(ControlMessage.of(ControlMessage.REGISTERED).with("node", this.nodeId));
	}

	/** Tells the agent why its registration is refused, then closes the connection. */
	private void refuse(String why) {
		this.closeReason = why;
		refusedRegistrations.occurred("connection " + this.id + " from " + this.remoteAddress + " (agent " + this.agentId
				+ "): " + why);
		ControlStream stream = this.controlStream;
		ControlMessage refused = ControlMessage.of(ControlMessage.REFUSED).with(ControlMessage.REASON_ATTRIBUTE, why);
		if (stream == null) {
			this.channel.close();
			return;
		}
		stream.sendLast(refused, this.channel).addListener((written) -> this.channel.close());
	}

	/**
	 * The edge lets this connection go: no new requests here, and the agent is asked to drain,
	 * so that it opens a replacement elsewhere before this one closes.
	 */
	public void drainByEdge(String why) {
		this.channel.eventLoop().execute(() -> {
			drain(why);
			send(ControlMessage.of(ControlMessage.DRAIN));
		});
	}

	/** Completes when the connection's socket has closed. */
	public Future<Void> closeFuture() {
		return this.channel.closeFuture();
	}

	/** Stops sending new requests here; requests in flight finish. */
	void drain(String why) {
		if (this.state == ConnectionState.REGISTERED) {
			this.state = ConnectionState.DRAINING;
			this.since = Instant.now();
			logger.info("Tunnel connection {} for {} is draining: {}", this.id, this.hostname, LogText.escape(why));
		}
	}

	/** The control stream answered something other than 200. */
	void controlStreamRefused(String why) {
		closeWithReason(why);
	}

	/** The control stream ended: the connection leaves routing at once, and closes once idle. */
	void controlStreamEnded(String why) {
		this.controlStream = null;
		if (this.state == ConnectionState.CLOSED) {
			return;
		}
		if (this.state == ConnectionState.CONNECTED) {
			closeWithReason("the control stream ended before the agent registered: " + why);
			return;
		}
		logger.info("Tunnel connection {} for {}: control stream ended ({}); no new requests", this.id, this.hostname,
				LogText.escape(why));
		leaveRouting(ConnectionState.DRAINING);
		this.closeWhenIdle = true;
		if (this.activeStreams.get() == 0) {
			this.channel.close();
		}
	}

	/** Logs why the edge closes this connection, then closes it. */
	void closeWithReason(String why) {
		if (this.closeReason == null && this.channel.isActive()) {
			this.closeReason = why;
			logger.warn("Closing tunnel connection {} from {}: {}", this.id, this.remoteAddress, LogText.escape(why));
		}
		this.channel.close();
	}

	/** {@link #closeWithReason} from any thread. */
	void closeWithReasonLater(String why) {
		this.channel.eventLoop().execute(() -> closeWithReason(why));
	}

	/** The socket closed. */
	void closed() {
		cancelRegistrationTimer();
		if (this.expiryDrainTimer != null) {
			this.expiryDrainTimer.cancel(false);
		}
		if (this.expiryTimer != null) {
			this.expiryTimer.cancel(false);
		}
		ConnectionState previous = this.state;
		leaveRouting(ConnectionState.CLOSED);
		if (previous != ConnectionState.CONNECTED) {
			logger.info("Tunnel connection {} from {} for {} closed", this.id, this.remoteAddress, this.hostname);
		}
	}

	private void leaveRouting(ConnectionState newState) {
		this.state = newState;
		this.since = Instant.now();
		if (this.routed) {
			this.routed = false;
			this.listener.unregistered(this);
		}
	}

	private void streamClosed() {
		if (this.activeStreams.decrementAndGet() == 0 && this.closeWhenIdle) {
			this.channel.close();
		}
	}

	private void registrationTimedOut() {
		if (this.state == ConnectionState.CONNECTED) {
			closeWithReason("the agent did not register within " + this.registrationTimeout.toMillis() + " ms");
		}
	}

	private void cancelRegistrationTimer() {
		if (this.registrationTimer != null) {
			this.registrationTimer.cancel(false);
			this.registrationTimer = null;
		}
	}

	static String format(@Nullable SocketAddress address) {
		if (address instanceof InetSocketAddress inet) {
			String host = (inet.getAddress() != null) ? inet.getAddress().getHostAddress() : inet.getHostString();
			return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
		}
		return String.valueOf(address);
	}

	@Override
	public String toString() {
		return "TunnelConnection[" + this.id + " " + this.remoteAddress + " " + this.state + " " + this.hostname + "]";
	}

}
