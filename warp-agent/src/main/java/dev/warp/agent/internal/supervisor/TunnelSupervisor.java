package dev.warp.agent.internal.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.warp.agent.ConnectionSnapshot;
import dev.warp.agent.EdgeAddress;
import dev.warp.agent.ReconnectReason;
import dev.warp.agent.TunnelSettings;
import dev.warp.agent.internal.connection.TunnelConnection;
import dev.warp.agent.internal.connection.TunnelContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keeps the tunnel's connections open and spread: one {@link ConnectionSlot} per wanted
 * connection, each re-dialled after a loss with exponential backoff, forever, until the tunnel
 * stops. Every rebalance interval it checks that no edge node holds more than half of the
 * connections while another address might lead elsewhere, and moves one connection if so (make
 * before break), so that after an edge node comes back the tunnel spreads over it again.
 */
public final class TunnelSupervisor {

	private static final Logger logger = LoggerFactory.getLogger(TunnelSupervisor.class);

	private static final Duration MOVE_POLL = Duration.ofMillis(100);

	private final TunnelContext context;

	private final List<ConnectionSlot> slots;

	private final EdgePlacement placement;

	private volatile @Nullable Disposable rebalancing;

	public TunnelSupervisor(TunnelContext context) {
		this.context = context;
		TunnelSettings settings = context.settings();
		this.placement = new EdgePlacement(settings.edgeAddresses(), settings.maxBackoff());
		List<ConnectionSlot> slots = new ArrayList<>(settings.connections());
		for (int i = 0; i < settings.connections(); i++) {
			slots.add(new ConnectionSlot(i, context, this));
		}
		this.slots = List.copyOf(slots);
	}

	/** Opens every connection; returns at once, connections come up in the background. */
	public void start() {
		List<EdgeAddress> addresses = this.context.settings().edgeAddresses();
		logger.info("Opening {} tunnel connection(s) for {} to {} ({})",
				this.slots.size(), this.context.settings().hostname(), addresses, this.context.settings().edgeAddressesSource());
		this.slots.forEach(ConnectionSlot::start);
		if (addresses.size() > 1 && this.slots.size() > 1) {
			Duration interval = this.context.settings().rebalanceInterval();
			this.rebalancing = Flux.interval(interval, interval).subscribe((tick) -> rebalance());
		}
	}

	/** Completes when at least one connection is registered. */
	public Mono<Void> firstRegistration() {
		return Flux.fromIterable(this.slots).flatMap(ConnectionSlot::registered).next().then();
	}

	/** Drains every connection, then closes them, within the grace period. */
	public Mono<Void> stop(Duration gracePeriod) {
		Disposable rebalance = this.rebalancing;
		if (rebalance != null) {
			rebalance.dispose();
		}
		return Flux.fromIterable(this.slots).flatMap((slot) -> slot.stop(gracePeriod)).then();
	}

	public List<ConnectionSnapshot> snapshots() {
		return this.slots.stream().map(ConnectionSlot::snapshot).toList();
	}

	/** Replaces every connection, one after the other, each new one before its old one goes. */
	public void reconnectAll(String why) {
		this.slots.forEach((slot) -> slot.replace(null, ReconnectReason.REQUESTED, why));
	}

	/**
	 * Replaces every registered connection, one at a time, each new one registered before its
	 * old one drains, so that all present new credentials. Connections not registered now use
	 * them when they reconnect.
	 */
	public void replaceRegistered(ReconnectReason reason, String why) {
		TunnelSettings settings = this.context.settings();
		Duration moveBound = settings.connectTimeout().plus(settings.registrationTimeout()).plusSeconds(1);
		Flux.fromIterable(this.slots)
			.filter((slot) -> slot.registeredConnection() != null)
			.concatMap((slot) -> {
				slot.replace(null, reason, why);
				// The next one moves once this one's replacement registered or failed.
				return Flux.interval(MOVE_POLL, MOVE_POLL)
					.filter((tick) -> !slot.isMoving())
					.next()
					.timeout(moveBound, Mono.empty());
			})
			.subscribe();
	}

	EdgeAddress chooseAddress(int slot, @Nullable String avoidNode) {
		return this.placement.choose(slot, load(), avoidNode);
	}

	void registered(TunnelConnection connection) {
		this.placement.registered(connection.address(), connection.edge());
	}

	void failed(EdgeAddress address) {
		this.placement.failed(address);
	}

	/** Registered connections per edge node. */
	private Map<String, Integer> load() {
		Map<String, Integer> load = new HashMap<>();
		for (ConnectionSlot slot : this.slots) {
			TunnelConnection connection = slot.registeredConnection();
			if (connection != null && connection.edge() != null) {
				load.merge(connection.edge(), 1, Integer::sum);
			}
		}
		return load;
	}

	void rebalance() {
		Map<String, Integer> load = load();
		if (load.isEmpty() || this.slots.stream().anyMatch(ConnectionSlot::isMoving)) {
			return;
		}
		Map.Entry<String, Integer> busiest = load.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
		int fairShare = (this.slots.size() + 1) / 2;
		if (busiest.getValue() <= fairShare) {
			return;
		}
		EdgeAddress target = this.placement.alternativeTo(busiest.getKey(), load);
		if (target == null) {
			return;
		}
		this.slots.stream()
			.filter((slot) -> {
				TunnelConnection connection = slot.registeredConnection();
				return connection != null && busiest.getKey().equals(connection.edge());
			})
			.max(Comparator.comparingInt(ConnectionSlot::index))
			.ifPresent((slot) -> slot.replace(target, ReconnectReason.REBALANCE, busiest.getValue() + " of "
					+ this.slots.size() + " connections are on edge " + busiest.getKey()));
	}

}
