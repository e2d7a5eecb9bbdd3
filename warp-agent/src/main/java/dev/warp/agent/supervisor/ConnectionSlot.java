package dev.warp.agent.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import dev.warp.agent.connection.ConnectionSnapshot;
import dev.warp.agent.connection.ConnectionState;
import dev.warp.agent.connection.EdgeAddress;
import dev.warp.agent.connection.TunnelConnection;
import dev.warp.agent.connection.TunnelContext;
import dev.warp.agent.connection.TunnelFailures;
import dev.warp.agent.retry.Backoff;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One of the tunnel's connections over time: the current {@link TunnelConnection}, and when it
 * is lost, the backoff before the next one. A failure is logged once at WARN; the same failure
 * again only at DEBUG, until a connection succeeds.
 */
final class ConnectionSlot {

	private static final Log logger = LogFactory.getLog(ConnectionSlot.class);

	private final int index;

	private final TunnelContext context;

	private final Backoff backoff;

	private final Sinks.Many<Boolean> registrations = Sinks.many().replay().latest();

	private volatile @Nullable TunnelConnection current;

	private volatile boolean stopping;

	private volatile @Nullable Disposable pendingRetry;

	private volatile Instant backoffSince = Instant.now();

	private volatile @Nullable String lastError;

	/** Shifts the slot to the next edge address; moves on after a failed attempt only. */
	private int addressOffset;

	private volatile boolean registeredThisAttempt;

	ConnectionSlot(int index, TunnelContext context) {
		this.index = index;
		this.context = context;
		this.backoff = new Backoff(context.settings().initialBackoff(), context.settings().maxBackoff());
	}

	void start() {
		connect();
	}

	private void connect() {
		if (this.stopping) {
			return;
		}
		this.registeredThisAttempt = false;
		EdgeAddress address = nextAddress();
		TunnelConnection connection = this.context.newConnection(this.index, address);
		this.current = connection;
		connection.open().subscribe((registered) -> onRegistered(registered), (error) -> { });
		connection.onClose().subscribe(null, null, () -> onClosed(connection));
	}

	/** Slots start spread over the edge addresses. */
	private EdgeAddress nextAddress() {
		List<EdgeAddress> addresses = this.context.settings().edgeAddresses();
		return addresses.get(Math.floorMod(this.index + this.addressOffset, addresses.size()));
	}

	private void onRegistered(TunnelConnection connection) {
		this.backoff.reset();
		this.lastError = null;
		this.registeredThisAttempt = true;
		logger.info("Tunnel connection " + this.index + " registered " + this.context.settings().hostname() + " at edge "
				+ connection.edge() + " (" + connection.address() + ")");
		this.registrations.tryEmitNext(true);
	}

	private void onClosed(TunnelConnection connection) {
		this.registrations.tryEmitNext(false);
		if (this.stopping) {
			return;
		}
		Throwable failure = connection.failure();
		String reason = (failure != null) ? TunnelFailures.describe(failure, connection.address(), this.context.settings())
				: "The connection to the edge at " + connection.address() + " closed";
		if (!this.registeredThisAttempt) {
			this.addressOffset++;
		}
		Duration delay = this.backoff.nextDelay();
		if (!Objects.equals(reason, this.lastError)) {
			logger.warn("Tunnel connection " + this.index + " for " + this.context.settings().hostname() + " lost: " + reason
					+ ". Retrying in " + delay.toMillis() + " ms, and with backoff after that.");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Tunnel connection " + this.index + " failed again: " + reason + "; retrying in " + delay.toMillis() + " ms");
		}
		this.lastError = reason;
		this.backoffSince = Instant.now();
		this.pendingRetry = Mono.delay(delay).subscribe((tick) -> connect());
	}

	/** Emits once this slot has a registered connection. */
	Mono<Void> registered() {
		return this.registrations.asFlux().filter(Boolean::booleanValue).next().then();
	}

	Mono<Void> stop(Duration gracePeriod) {
		this.stopping = true;
		Disposable retry = this.pendingRetry;
		if (retry != null) {
			retry.dispose();
		}
		TunnelConnection connection = this.current;
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
