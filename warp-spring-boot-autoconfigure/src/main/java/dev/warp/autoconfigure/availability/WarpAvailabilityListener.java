package dev.warp.autoconfigure.availability;

import dev.warp.agent.WarpTunnel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.AvailabilityState;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;

/**
 * Makes the tunnel follow the application's availability, so that the edge's pool follows it
 * too:
 * <ul>
 * <li>{@link ReadinessState#REFUSING_TRAFFIC}: the edge sends no new requests to this replica;
 * its connections stay open and registered</li>
 * <li>{@link ReadinessState#ACCEPTING_TRAFFIC}: the edge sends requests here again</li>
 * <li>{@link LivenessState#BROKEN}: the tunnel drains and closes; should the application
 * declare itself {@link LivenessState#CORRECT} again, the tunnel opens again</li>
 * </ul>
 * Spring Boot publishes {@code REFUSING_TRAFFIC} itself when the application context closes,
 * so at shutdown the edge stops routing here even before the tunnel drains.
 */
public class WarpAvailabilityListener implements ApplicationListener<AvailabilityChangeEvent<?>> {

	private static final Logger logger = LoggerFactory.getLogger(WarpAvailabilityListener.class);

	private final WarpTunnel tunnel;

	private volatile boolean closedWhileBroken;

	public WarpAvailabilityListener(WarpTunnel tunnel) {
		this.tunnel = tunnel;
	}

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
		AvailabilityState state = event.getState();
		if (state instanceof ReadinessState readiness) {
			this.tunnel.acceptTraffic(readiness == ReadinessState.ACCEPTING_TRAFFIC);
		}
		else if (state == LivenessState.BROKEN && this.tunnel.isRunning()) {
			logger.warn("The application is broken (liveness state BROKEN): draining and closing the tunnel for {}",
					this.tunnel.settings().hostname());
			this.closedWhileBroken = true;
			this.tunnel.stop().subscribe();
		}
		else if (state == LivenessState.CORRECT && this.closedWhileBroken) {
			logger.info("The application is live again (liveness state CORRECT): opening the tunnel for {}",
					this.tunnel.settings().hostname());
			this.closedWhileBroken = false;
			this.tunnel.start();
		}
	}

}
