package dev.warp.agent.internal.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import dev.warp.agent.ConnectionSnapshot;
import dev.warp.agent.ConnectionState;
import dev.warp.agent.EdgeAddress;
import dev.warp.agent.ReconnectReason;
import dev.warp.agent.internal.connection.TunnelConnection;
import dev.warp.agent.internal.connection.TunnelContext;
import dev.warp.agent.internal.connection.TunnelFailures;
import dev.warp.agent.internal.retry.Backoff;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One of the tunnel's connections over time: the current {@link TunnelConnection}, and when it
 * is lost, the backoff before the next one. When a connection has to go while it works (the edge
 * drains it, or it moves to another edge node), the replacement is opened first and the old one
 * drained after: make before break. A failure is logged once at WARN; the same failure again
 * only at DEBUG, until a connection succeeds.
 */
final class ConnectionSlot {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionSlot.class);

	private final int index;

	private final TunnelContext context;

	private final TunnelSupervisor supervisor;

	private final Backoff backoff;

	private final Sinks.Many<Boolean> registrations = Sinks.many().replay().latest();

	private volatile @Nullable TunnelConnection current;

	private volatile @Nullable TunnelConnection replacement;

	private volatile boolean stopping;

	/** The current connection closed while its replacement was on its way: the replacement owns the slot. */
	private boolean lostWhileReplacing;

	private volatile @Nullable Disposable pendingRetry;

	private volatile Instant backoffSince = Instant.now();

	private volatile @Nullable String lastError;

	ConnectionSlot(int index, TunnelContext context, TunnelSupervisor supervisor) {
		this.index = index;
		this.context = context;
		this.supervisor = supervisor;
		this.backoff = new Backoff(context.settings().initialBackoff(), context.settings().maxBackoff());
	}

	int index() {
		return this.index;
	}

	void start() {
		connect();
	}

	private synchronized void connect() {
		if (this.stopping) {
			return;
		}
		TunnelConnection connection = open(this.supervisor.chooseAddress(this.index, null));
		this.current = connection;
		connection.open().subscribe((registered) -> onRegistered(registered), (error) -> onFailedToOpen(connection));
	}

	private TunnelConnection open(EdgeAddress address) {
		TunnelConnection connection = this.context.newConnection(this.index, address);
		connection.onClose().subscribe(null, null, () -> onClosed(connection));
		connection.onEdgeDrain()
			.subscribe(null, null, () -> replace(null, ReconnectReason.EDGE_DRAIN, "the edge asked to drain"));
		return connection;
	}

	private void onRegistered(TunnelConnection connection) {
		this.supervisor.registered(connection);
		this.backoff.reset();
		this.lastError = null;
		logger.info("Tunnel connection {} registered {} at edge {} ({})",
				this.index, this.context.settings().hostname(), connection.edge(), connection.address());
		this.registrations.tryEmitNext(true);
	}

	private void onFailedToOpen(TunnelConnection connection) {
		this.supervisor.failed(connection.address());
	}

	private synchronized void onClosed(TunnelConnection connection) {
		if (connection != this.current) {
			return;
		}
		this.registrations.tryEmitNext(false);
		if (this.stopping) {
			return;
		}
		if (this.replacement != null) {
			// Only one way to a new connection: the replacement on its way, or a reconnect should it fail.
			this.lostWhileReplacing = true;
			return;
		}
		reconnectAfterLoss(connection);
	}

	private void reconnectAfterLoss(TunnelConnection connection) {
		Throwable failure = connection.failure();
		this.context.statistics().reconnecting(this.index, TunnelFailures.reconnectReason(failure));
		String reason = (failure != null) ? TunnelFailures.describe(failure, connection.address(), this.context.settings())
				: "The connection to the edge at " + connection.address() + " closed";
		Duration delay = this.backoff.nextDelay();
		if (!Objects.equals(reason, this.lastError)) {
			logger.warn("Tunnel connection {} for {} lost: {}. Retrying in {} ms, and with backoff after that.",
					this.index, this.context.settings().hostname(), reason, delay.toMillis());
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Tunnel connection {} failed again: {}; retrying in {} ms",
					this.index, reason, delay.toMillis());
		}
		this.lastError = reason;
		this.backoffSince = Instant.now();
		this.pendingRetry = Mono.delay(delay).subscribe((tick) -> connect());
	}

	/**
	 * Opens a new connection and, once it is registered, drains the current one. With a
	 * {@code target}, the move is to another edge node: should the target turn out to be the
	 * current connection's node under another address, the new connection is dropped instead.
	 * @param target the address to move to, or {@code null} to let placement choose another node
	 * @param reason why, for the reconnect counter
	 * @param why what to log
	 */
	synchronized void replace(@Nullable EdgeAddress target, ReconnectReason reason, String why) {
		TunnelConnection old = this.current;
		if (this.stopping || this.replacement != null || old == null || old.state() == ConnectionState.CLOSED) {
			// Nothing to make before break: a lost connection is reconnected by onClosed.
			return;
		}
		this.context.statistics().reconnecting(this.index, reason);
		EdgeAddress address = (target != null) ? target : this.supervisor.chooseAddress(this.index, old.edge());
		if (address.equals(old.address())) {
			logger.info("Tunnel connection {} is replaced at edge {} ({}): {}", this.index, old.edge(), address, why);
		}
		else {
			logger.info("Tunnel connection {} moves from edge {} ({}) to {}: {}",
					this.index, old.edge(), old.address(), address, why);
		}
		TunnelConnection next = this.context.newConnection(this.index, address);
		this.replacement = next;
		this.lostWhileReplacing = false;
		next.open().subscribe((registered) -> promote(old, registered, target != null), (error) -> {
			boolean lost;
			synchronized (this) {
				this.replacement = null;
				lost = this.lostWhileReplacing;
				if (lost && !this.stopping) {
					this.lostWhileReplacing = false;
					reconnectAfterLoss(old);
				}
			}
			this.supervisor.failed(address);
			if (!lost) {
				logger.info("Tunnel connection {} stays at edge {}: the move to {} failed ({})",
						this.index, old.edge(), address, TunnelFailures.describe(error, address, this.context.settings()));
			}
		});
	}

	private void promote(TunnelConnection old, TunnelConnection next, boolean mustChangeNode) {
		synchronized (this) {
			this.replacement = null;
			this.lostWhileReplacing = false;
			this.supervisor.registered(next);
			boolean sameNode = Objects.equals(next.edge(), old.edge()) && old.state() == ConnectionState.REGISTERED;
			if (this.stopping || (mustChangeNode && sameNode)) {
				next.close();
				return;
			}
			this.current = next;
			next.onClose().subscribe(null, null, () -> onClosed(next));
			next.onEdgeDrain()
				.subscribe(null, null, () -> replace(null, ReconnectReason.EDGE_DRAIN, "the edge asked to drain"));
		}
		logger.info("Tunnel connection {} registered {} at edge {} ({}); draining the one at edge {}",
				this.index, this.context.settings().hostname(), next.edge(), next.address(), old.edge());
		this.registrations.tryEmitNext(true);
		old.drain(this.context.settings().gracePeriod()).subscribe();
	}

	/** Emits once this slot has a registered connection. */
	Mono<Void> registered() {
		return this.registrations.asFlux().filter(Boolean::booleanValue).next().then();
	}

	/** The current connection when it is registered, else {@code null}. */
	@Nullable TunnelConnection registeredConnection() {
		TunnelConnection connection = this.current;
		return (connection != null && connection.state() == ConnectionState.REGISTERED) ? connection : null;
	}

	boolean isMoving() {
		return this.replacement != null;
	}

	Mono<Void> stop(Duration gracePeriod) {
		TunnelConnection connection;
		TunnelConnection moving;
		synchronized (this) {
			this.stopping = true;
			connection = this.current;
			moving = this.replacement;
		}
		Disposable retry = this.pendingRetry;
		if (retry != null) {
			retry.dispose();
		}
		if (moving != null) {
			moving.close();
		}
		return (connection != null) ? connection.drain(gracePeriod) : Mono.empty();
	}

	ConnectionSnapshot snapshot() {
		TunnelConnection connection = this.current;
		if (connection == null) {
			return new ConnectionSnapshot(this.index, "", null, ConnectionState.CONNECTING, this.backoffSince, -1, 0, null);
		}
		ConnectionSnapshot snapshot = connection.snapshot();
		if (snapshot.state() == ConnectionState.CLOSED && !this.stopping) {
			return new ConnectionSnapshot(this.index, snapshot.edgeAddress(), snapshot.edge(), ConnectionState.BACKOFF,
					this.backoffSince, -1, 0, this.lastError);
		}
		if (snapshot.lastError() == null && this.lastError != null) {
			return new ConnectionSnapshot(snapshot.index(), snapshot.edgeAddress(), snapshot.edge(), snapshot.state(),
					snapshot.since(), snapshot.rttMillis(), snapshot.activeStreams(), this.lastError);
		}
		return snapshot;
	}

}
