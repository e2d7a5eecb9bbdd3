package dev.warp.agent.internal.connection;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import dev.warp.agent.ConnectionSnapshot;
import dev.warp.agent.ConnectionState;
import dev.warp.agent.EdgeAddress;
import dev.warp.agent.TunnelSettings;
import dev.warp.core.liveness.Heartbeat;
import dev.warp.core.protocol.ControlMessage;
import dev.warp.core.protocol.TunnelProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * One tunnel connection: a TLS 1.3 connection the agent dials to an edge, on which it serves
 * HTTP/2 as the server. Lives from {@link #open()} until it closes; a new attempt is a new
 * instance. Carries the state that health and metrics show.
 */
public final class TunnelConnection {

	private static final Logger logger = LoggerFactory.getLogger(TunnelConnection.class);

	/** How long a drain waits for the edge's acknowledgement before it counts requests in flight anyway. */
	private static final Duration DRAIN_ACK_TIMEOUT = Duration.ofSeconds(1);

	/** The close reason of the {@code 1001} that WebSockets of a draining connection get. */
	static final String GOING_AWAY_REASON = "The tunnel connection is draining; reconnect";

	private static final AttributeKey<TunnelConnection> KEY = AttributeKey.valueOf(TunnelConnection.class, "connection");

	private final int index;

	private final EdgeAddress address;

	private final TunnelContext context;

	private final Sinks.One<TunnelConnection> registered = Sinks.one();

	private final Sinks.One<Void> closed = Sinks.one();

	private final Sinks.One<Void> edgeDrain = Sinks.one();

	private final ControlStream control;

	private volatile ConnectionState state = ConnectionState.CONNECTING;

	private volatile Instant since = Instant.now();

	private volatile @Nullable Throwable failure;

	private volatile @Nullable Channel channel;

	private volatile long rttNanos = -1;

	private @Nullable ScheduledFuture<?> registrationTimeout;

	TunnelConnection(int index, EdgeAddress address, TunnelContext context) {
		this.index = index;
		this.address = address;
		this.context = context;
		this.control = new ControlStream(context, index, address, new ControlEvents());
	}

	/** The connection a tunnel socket belongs to, or {@code null} for any other channel. */
	static @Nullable TunnelConnection of(Channel channel) {
		return channel.attr(KEY).get();
	}

	/**
	 * Dials the edge. The returned Mono completes with this connection once the edge has
	 * accepted the registration, or fails with the reason it could not.
	 */
	public Mono<TunnelConnection> open() {
		Bootstrap bootstrap = new Bootstrap().group(this.context.group())
			.channel(this.context.channelType())
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) this.context.settings().connectTimeout().toMillis())
			.option(ChannelOption.TCP_NODELAY, true)
			.option(ChannelOption.SO_KEEPALIVE, true)
			// Netty's pooled allocator, as on the edge's end: with the default adaptive one, the
			// TLS layer's growing input buffer and the socket reads of a fast upload outgrow its
			// pooled sizes and each take a fresh direct buffer from the JDK, zeroed first.
			.option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
			.handler(new ChannelInitializer<>() {
				@Override
				protected void initChannel(Channel ch) {
					// Here, on the event loop, before the handshake: when open() runs on another
					// thread, the whole handshake and the control stream may come before connect()
					// returns there.
					TunnelConnection.this.channel = ch;
					ch.attr(KEY).set(TunnelConnection.this);
					SslHandler ssl = context.sslContext().newHandler(ch.alloc(), address.host(), address.port());
					ssl.setHandshakeTimeoutMillis(context.settings().connectTimeout().toMillis());
					ch.pipeline().addLast(new SocketTrafficCounter(context.statistics()), new PlainHttpDetector(), ssl,
							new ProtocolNegotiation());
				}
			});
		ChannelFuture connect = bootstrap.connect(this.address.host(), this.address.port());
		Channel ch = connect.channel();
		this.channel = ch;
		connect.addListener((future) -> {
			if (!future.isSuccess()) {
				fail(future.cause());
			}
		});
		// Later, not at once: Netty closes a channel before it fires the exception that caused
		// the close, and the failure must be known when the close is reported.
		ch.closeFuture().addListener((future) -> ch.eventLoop().execute(this::onClosed));
		return this.registered.asMono();
	}

	/** Completes when the connection has closed, whatever the reason. */
	public Mono<Void> onClose() {
		return this.closed.asMono();
	}

	/**
	 * Stops taking new requests and closes once in-flight ones are done or the grace period has
	 * passed. The edge learns it first through a {@code drain} message; the wait for requests in
	 * flight starts once the edge has acknowledged it (or did not within a second), so that no
	 * request the edge sent just before is cut off.
	 */
	public Mono<Void> drain(Duration gracePeriod) {
		Channel ch = this.channel;
		if (ch == null || !ch.isActive()) {
			close();
			return onClose();
		}
		long deadline = System.nanoTime() + gracePeriod.toNanos();
		ch.eventLoop().execute(() -> {
			if (this.state == ConnectionState.REGISTERED) {
				this.control.send(ControlMessage.of(ControlMessage.DRAIN));
				setState(ConnectionState.DRAINING);
				this.control.drainAcknowledged()
					.timeout(DRAIN_ACK_TIMEOUT, Mono.empty())
					.subscribe(null, null, () -> ch.eventLoop().execute(() -> closeWhenIdle(ch, deadline)));
			}
			else {
				closeWhenIdle(ch, deadline);
			}
		});
		return onClose();
	}

	/** Completes when the edge asks this connection to drain (the edge is going away). */
	public Mono<Void> onEdgeDrain() {
		return this.edgeDrain.asMono();
	}

	private void closeWhenIdle(Channel ch, long deadline) {
		if (!ch.isActive()) {
			return;
		}
		// A WebSocket never ends by itself: waiting for it would take the whole grace period.
		TunnelWebSockets.goingAway(ch, GOING_AWAY_REASON);
		if (activeStreams() == 0 || System.nanoTime() - deadline >= 0) {
			if (activeStreams() > 0) {
				logger.warn("Tunnel connection {} to {} closes with {} request(s) still in flight: the grace "
						+ "period is over",
						this.index, this.address, activeStreams());
			}
			ch.close();
			return;
		}
		ch.eventLoop().schedule(() -> closeWhenIdle(ch, deadline), 20, TimeUnit.MILLISECONDS);
	}

	/** Closes at once; requests in flight fail. */
	public void close() {
		Channel ch = this.channel;
		if (ch != null) {
			ch.close();
		}
		else {
			onClosed();
		}
	}

	public int index() {
		return this.index;
	}

	public EdgeAddress address() {
		return this.address;
	}

	public ConnectionState state() {
		return this.state;
	}

	/** The id of the edge node at the other end, once known. */
	public @Nullable String edge() {
		return this.control.edge();
	}

	/** Why the connection failed or closed, if it did for a reason. */
	public @Nullable Throwable failure() {
		return this.failure;
	}

	/** The last measured round-trip time to the edge in nanoseconds, or {@code -1} before the first. */
	public long rttNanos() {
		return this.rttNanos;
	}

	/** Requests in flight on this connection (the control stream does not count). */
	public int activeStreams() {
		Channel ch = this.channel;
		Http2FrameCodec codec = (ch != null) ? ch.pipeline().get(Http2FrameCodec.class) : null;
		if (codec == null) {
			return 0;
		}
		int streams = codec.connection().numActiveStreams();
		return Math.max(0, (this.control.edge() != null) ? streams - 1 : streams);
	}

	public ConnectionSnapshot snapshot() {
		Throwable error = this.failure;
		long rtt = this.rttNanos;
		return new ConnectionSnapshot(this.index, this.address.toString(), edge(), this.state, this.since,
				(rtt < 0) ? -1 : rtt / 1_000_000.0,
				activeStreams(), (error != null) ? TunnelFailures.describe(error, this.address, this.context.settings()) : null);
	}

	/** Serves the edge's control stream ({@link ControlStream}). */
	Mono<Void> serveControlStream(HttpServerRequest request, HttpServerResponse response) {
		return this.control.serve(request, response, this.channel.eventLoop(), onClose());
	}

	private void onH2Negotiated(Channel ch) {
		ch.pipeline().addLast(this.context.server().initializer(ch));
		ConnectionWindow.enlarge(ch);
		TunnelSettings settings = this.context.settings();
		ch.pipeline().addLast(new Heartbeat(settings.heartbeatInterval().toNanos(), settings.heartbeatMisses(),
				(rtt) -> this.rttNanos = rtt, (reason) -> fail(new HeartbeatTimeoutException("The edge at " + this.address
						+ " stopped answering: " + reason))));
		// Last in the pipeline: a connection-level error (a reset, say) becomes the reason this
		// connection failed, instead of a warning about an unhandled exception.
		ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
			@Override
			public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
				fail(cause);
			}
		});
		this.registrationTimeout = ch.eventLoop().schedule(() -> fail(new TunnelException("The edge at " + this.address
				+ " did not complete the registration within " + this.context.settings().registrationTimeout().toMillis()
				+ " ms")), this.context.settings().registrationTimeout().toMillis(), TimeUnit.MILLISECONDS);
	}

	private void cancelRegistrationTimeout() {
		ScheduledFuture<?> timeout = this.registrationTimeout;
		if (timeout != null) {
			timeout.cancel(false);
		}
	}

	private void fail(Throwable error) {
		Channel ch = this.channel;
		boolean notTls = error instanceof NotSslRecordException || error.getCause() instanceof NotSslRecordException;
		if (notTls && ch != null && Boolean.TRUE.equals(ch.attr(PlainHttpDetector.PLAIN_HTTP).get())) {
			error = new PlainHttpAnswerException();
		}
		if (this.failure == null) {
			this.failure = error;
		}
		this.registered.tryEmitError(error);
		if (ch != null) {
			ch.close();
		}
	}

	private void onClosed() {
		cancelRegistrationTimeout();
		this.control.close();
		setState(ConnectionState.CLOSED);
		this.registered.tryEmitError((this.failure != null) ? this.failure
				: new TunnelException("The connection to the edge at " + this.address + " closed before registration"));
		this.closed.tryEmitEmpty();
	}

	private void setState(ConnectionState newState) {
		if (this.state != newState) {
			this.state = newState;
			this.since = Instant.now();
		}
	}

	@Override
	public String toString() {
		return "TunnelConnection[" + this.index + " " + this.address + " " + this.state + "]";
	}

	/** What the edge says on the control stream, to this connection. */
	private final class ControlEvents implements ControlStream.Events {

		@Override
		public void registered() {
			cancelRegistrationTimeout();
			setState(ConnectionState.REGISTERED);
			TunnelConnection.this.registered.tryEmitValue(TunnelConnection.this);
		}

		@Override
		public void drainAsked() {
			if (TunnelConnection.this.state == ConnectionState.REGISTERED) {
				// The edge no longer routes here: no acknowledgement to wait for.
				setState(ConnectionState.DRAINING);
				closeWhenIdle(TunnelConnection.this.channel,
						System.nanoTime() + TunnelConnection.this.context.settings().gracePeriod().toNanos());
			}
			TunnelConnection.this.edgeDrain.tryEmitEmpty();
		}

		@Override
		public void failed(Throwable error) {
			fail(error);
		}

		@Override
		public void ended(@Nullable Throwable error) {
			Channel ch = TunnelConnection.this.channel;
			if (ch != null && ch.isActive() && TunnelConnection.this.state != ConnectionState.DRAINING) {
				fail((error != null) ? error : new ControlStreamEndedException("The edge ended the control stream"));
			}
		}

	}

	/** Installs the HTTP/2 server only after TLS has negotiated {@code h2}. */
	private final class ProtocolNegotiation extends ApplicationProtocolNegotiationHandler {

		ProtocolNegotiation() {
			super("none");
		}

		@Override
		protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
			if (TunnelProtocol.ALPN.equals(protocol)) {
				onH2Negotiated(ctx.channel());
			}
			else {
				fail(new TunnelException("The edge at " + address + " did not negotiate HTTP/2 (ALPN '" + protocol
						+ "'): it seems to be the edge's provisioning port (edge.provisioning.port, default 7847) or "
						+ "another HTTPS server, not its tunnel port: give the edge's edge.tunnel.port (default 7844) in "
						+ "warp.edge.addresses; or a proxy in between strips ALPN"));
			}
		}

		@Override
		protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
			fail(cause);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			fail(cause);
		}

	}

}
