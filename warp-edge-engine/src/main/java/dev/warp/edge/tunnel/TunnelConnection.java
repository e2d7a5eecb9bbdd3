package dev.warp.edge.tunnel;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

import dev.warp.core.protocol.ControlMessage;
import dev.warp.edge.log.LogText;
import dev.warp.edge.provisioning.OriginAccount;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tunnel connection an agent dialled: TLS 1.3, HTTP/2 with the edge as client. Knows what
 * the agent registered on the control stream ({@link TunnelControl}), and opens one stream per
 * visitor request ({@link TunnelStreams}).
 *
 * <p>State changes happen on the connection's event loop; the accessors may be read from any
 * thread.
 */
public final class TunnelConnection implements StreamConnection {

	private static final Logger logger = LoggerFactory.getLogger(TunnelConnection.class);

	private final String id;

	private final Channel channel;

	private final String remoteAddress;

	private final TunnelConnectionListener listener;

	private final TunnelStreams streams;

	private final TunnelControl control;

	private volatile ConnectionState state = ConnectionState.CONNECTED;

	private volatile Instant since = Instant.now();

	private volatile @Nullable String hostname;

	private volatile @Nullable String agentId;

	private volatile @Nullable String agentConnection;

	/** Whether the edge lets the connection take requests; false while the cluster checks its account. */
	private volatile boolean admitted = true;

	/** Whether the agent's application accepts traffic (its readiness); the connection stays open either way. */
	private volatile boolean ready = true;

	private final ConnectionHealth health;

	/** Whether the agent advertised SETTINGS_ENABLE_CONNECT_PROTOCOL: WebSockets as RFC 8441 streams. */
	private volatile boolean acceptsWebSockets;

	private volatile long rttNanos = -1;

	private @Nullable String closeReason;

	private boolean routed;

	private final X509Certificate certificate;

	private final String account;

	private @Nullable CertificateExpiry expiry;

	TunnelConnection(String id, String nodeId, Channel channel, Duration registrationTimeout,
			TunnelConnectionListener listener, X509Certificate certificate) {
		this.certificate = certificate;
		this.account = OriginAccount.of(certificate);
		this.id = id;
		this.channel = channel;
		this.remoteAddress = TunnelHandshake.format(channel.remoteAddress());
		this.listener = listener;
		this.health = ConnectionHealth.attachTo(channel);
		this.streams = new TunnelStreams(this, channel);
		this.control = new TunnelControl(this, channel, nodeId, registrationTimeout, certificate);
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
		return this.streams.active();
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
			this.control.refuse(why);
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
		return this.streams.open(handler, true);
	}

	/**
	 * Opens a stream, as {@link #openStream(ChannelHandler)} does.
	 * @param wakeUp whether the connection's event loop, when it is another thread's and idle, is
	 * woken for it now; without, the stream opens the next time the loop wakes, which the caller
	 * then makes happen with {@link #wakeUp()}, once for many streams
	 */
	public Future<Http2StreamChannel> openStream(ChannelHandler handler, boolean wakeUp) {
		return this.streams.open(handler, wakeUp);
	}

	/** Why {@link #isAvailable()} is false: the socket closed before the state says so, or the app is not ready. */
	String unavailability() {
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
		this.streams.wakeUp();
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
		return this.control.send(message);
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

	/** Called on the event loop once HTTP/2 is set up: opens the control stream. */
	void start() {
		this.expiry = CertificateExpiry.watch(this, this.certificate, this.channel.eventLoop());
		this.control.open();
	}

	/** A message from the agent on the control stream. */
	void controlMessage(ControlMessage message) {
		this.control.received(message);
	}

	/**
	 * The agent registered {@code name}: the connection joins routing.
	 * @return why the listener refuses the registration after all, or {@code null}
	 */
	@Nullable String registered(String name, String agentId, @Nullable String agentConnection, boolean ready) {
		this.hostname = name;
		this.agentId = agentId;
		this.agentConnection = agentConnection;
		this.ready = ready;
		this.since = Instant.now();
		this.state = ConnectionState.REGISTERED;
		this.routed = true;
		String refusal = this.listener.registered(this);
		if (refusal != null) {
			this.routed = false;
			this.state = ConnectionState.CONNECTED;
		}
		return refusal;
	}

	/** The agent said whether its application accepts traffic. */
	void readiness(boolean ready) {
		if (this.ready != ready) {
			this.ready = ready;
			logger.info("Tunnel connection {} for {} (agent {}): the application {}", this.id, this.hostname,
					LogText.escape(this.agentId),
					ready ? "accepts traffic again" : "refuses traffic; no new requests until it is ready");
		}
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

	/** The control stream ended: the connection leaves routing at once, and closes once idle. */
	void controlStreamEnded(String why) {
		this.control.ended();
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
		this.streams.closeWhenIdle();
	}

	/** The edge closes this connection for {@code why}, said to the agent: no warning of its own. */
	void closingBecause(String why) {
		this.closeReason = why;
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
		this.control.cancelRegistrationTimer();
		if (this.expiry != null) {
			this.expiry.cancel();
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

	@Override
	public String toString() {
		return "TunnelConnection[" + this.id + " " + this.remoteAddress + " " + this.state + " " + this.hostname + "]";
	}

}