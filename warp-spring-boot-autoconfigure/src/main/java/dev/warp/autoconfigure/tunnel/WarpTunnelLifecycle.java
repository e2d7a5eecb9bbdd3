package dev.warp.autoconfigure.tunnel;

import dev.warp.agent.WarpTunnel;

import org.springframework.context.SmartLifecycle;

/**
 * Opens the tunnel once the application is ready to serve, and drains it before the
 * application's web server and handler chain go away.
 *
 * <p>The web server starts in phase {@code DEFAULT_PHASE - 2048} and its graceful shutdown runs
 * in {@code DEFAULT_PHASE - 1024}; the tunnel's phase is above both, so it starts after them
 * and stops (drains) before them.
 */
public class WarpTunnelLifecycle implements SmartLifecycle {

	/** The phase of the tunnel: after the web server starts, before its graceful shutdown. */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

	private final WarpTunnel tunnel;

	public WarpTunnelLifecycle(WarpTunnel tunnel) {
		this.tunnel = tunnel;
	}

	@Override
	public void start() {
		this.tunnel.start();
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
