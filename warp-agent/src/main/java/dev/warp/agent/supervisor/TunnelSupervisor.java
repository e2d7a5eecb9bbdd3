package dev.warp.agent.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.warp.agent.TunnelSettings;
import dev.warp.agent.connection.ConnectionSnapshot;
import dev.warp.agent.connection.EdgeAddress;
import dev.warp.agent.connection.TunnelContext;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keeps the tunnel's connections open: one {@link ConnectionSlot} per wanted connection, each
 * re-dialled after a loss with exponential backoff, forever, until the tunnel stops.
 */
public final class TunnelSupervisor {

	private static final Log logger = LogFactory.getLog(TunnelSupervisor.class);

	private final TunnelContext context;

	private final List<ConnectionSlot> slots;

	public TunnelSupervisor(TunnelContext context) {
		this.context = context;
		TunnelSettings settings = context.settings();
		List<ConnectionSlot> slots = new ArrayList<>(settings.connections());
		for (int i = 0; i < settings.connections(); i++) {
			slots.add(new ConnectionSlot(i, context));
		}
		this.slots = List.copyOf(slots);
	}

	/** Opens every connection; returns at once, connections come up in the background. */
	public void start() {
		List<EdgeAddress> addresses = this.context.settings().edgeAddresses();
		logger.info("Opening " + this.slots.size() + " tunnel connection(s) for " + this.context.settings().hostname()
				+ " to " + addresses);
		this.slots.forEach(ConnectionSlot::start);
	}

	/** Completes when at least one connection is registered. */
	public Mono<Void> firstRegistration() {
		return Flux.fromIterable(this.slots).flatMap(ConnectionSlot::registered).next().then();
	}

	/** Drains every connection, then closes them, within the grace period. */
	public Mono<Void> stop(Duration gracePeriod) {
		return Flux.fromIterable(this.slots).flatMap((slot) -> slot.stop(gracePeriod)).then();
	}

	public List<ConnectionSnapshot> snapshots() {
		return this.slots.stream().map(ConnectionSlot::snapshot).toList();
	}

}
