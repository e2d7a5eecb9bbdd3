package dev.warp.edge.app;

import dev.warp.edge.EdgeNode;

import dev.warp.edge.EdgeSettings;

import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Runs an {@link EdgeNode} for as long as the application context: started once every bean is
 * ready, closed before the context goes away.
 */
public class EdgeNodeLifecycle implements SmartLifecycle {

	private final EdgeSettings settings;

	private volatile @Nullable EdgeNode node;

	public EdgeNodeLifecycle(EdgeSettings settings) {
		this.settings = settings;
	}

	@Override
	public void start() {
		if (this.node == null) {
			this.node = EdgeNode.start(this.settings);
		}
	}

	@Override
	public void stop() {
		EdgeNode running = this.node;
		this.node = null;
		if (running != null) {
			running.shutdownGracefully(this.settings.drainTimeout());
		}
	}

	@Override
	public boolean isRunning() {
		return this.node != null;
	}

	/**
	 * The running node.
	 * @throws IllegalStateException when the node is not running
	 */
	public EdgeNode getEdgeNode() {
		EdgeNode running = this.node;
		if (running == null) {
			throw new IllegalStateException("The edge node is not running");
		}
		return running;
	}

}
