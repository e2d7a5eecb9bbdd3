package dev.warp.autoconfigure.tunnel;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import dev.warp.agent.ConnectionSnapshot;
import dev.warp.agent.WarpTunnel;

import org.springframework.context.SmartLifecycle;

/**
 * Opens the tunnel once the application is ready to serve, and drains it before the
 * application's web server and handler chain go away.
 *
 * <p>The web server starts in phase {@code DEFAULT_PHASE - 2048} and its graceful shutdown runs
 * in {@code DEFAULT_PHASE - 1024}; the tunnel's phase is above both, so it starts after them
 * and stops (drains) before them.
 *
 * <p>Startup waits for the first answer about the origin certificate (bounded by the connect
 * timeout): a refused token fails startup, an unreachable edge does not. With a
 * {@code waitForEdge} above zero it then waits that long for a registered connection, and fails
 * startup without one.
 */
public class WarpTunnelLifecycle implements SmartLifecycle {

	/** The phase of the tunnel: after the web server starts, before its graceful shutdown. */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

	private final WarpTunnel tunnel;

	private final Duration waitForEdge;

	public WarpTunnelLifecycle(WarpTunnel tunnel) {
		this(tunnel, Duration.ZERO);
	}

	public WarpTunnelLifecycle(WarpTunnel tunnel, Duration waitForEdge) {
		this.tunnel = tunnel;
		this.waitForEdge = waitForEdge;
	}

	@Override
	public void start() {
		this.tunnel.start();
		try {
			// Bounded by the provisioning client's own timeouts; the margin covers key generation.
			Duration firstAnswer = this.tunnel.settings().connectTimeout().multipliedBy(2).plusSeconds(5);
			this.tunnel.credentialsObtained().timeout(firstAnswer, reactor.core.publisher.Mono.empty()).block();
			if (!this.waitForEdge.isZero()) {
				this.tunnel.registered()
					.timeout(this.waitForEdge)
					.onErrorMap(TimeoutException.class,
							(timeout) -> new WarpEdgeUnreachableException(this.waitForEdge, lastError()))
					.block();
			}
		}
		catch (RuntimeException ex) {
			this.tunnel.stop(Duration.ZERO).block(Duration.ofSeconds(10));
			throw ex;
		}
	}

	private String lastError() {
		return this.tunnel.connections()
			.stream()
			.map(ConnectionSnapshot::lastError)
			.filter(java.util.Objects::nonNull)
			.findFirst()
			.orElse((this.tunnel.credentials() == null) ? "no origin certificate could be obtained yet"
					: "no connection registered yet");
	}

	@Override
	public void stop() {
		throw new UnsupportedOperationException("Stop must not be invoked directly");
	}

	@Override
	public void stop(Runnable callback) {
		this.tunnel.stop().doFinally((signal) -> callback.run()).subscribe();
	}

	@Override
	public boolean isRunning() {
		return this.tunnel.isRunning();
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
