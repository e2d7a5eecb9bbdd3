package dev.warp.edge.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.warp.edge.tunnel.TunnelConnection;
import org.jspecify.annotations.Nullable;

/**
 * The tunnel connections that serve one hostname. Immutable: the route table swaps in a new pool
 * on every change, so that selecting a connection for a request takes no lock. The round-robin
 * position is shared by every version of a hostname's pool.
 */
public final class HostnamePool {

	private final String hostname;

	private final List<TunnelConnection> connections;

	private final AtomicInteger next;

	private HostnamePool(String hostname, List<TunnelConnection> connections, AtomicInteger next) {
		this.hostname = hostname;
		this.connections = connections;
		this.next = next;
	}

	static HostnamePool empty(String hostname) {
		return new HostnamePool(hostname, List.of(), new AtomicInteger());
	}

	public String hostname() {
		return this.hostname;
	}

	/** Every connection in the pool, available or not. */
	public List<TunnelConnection> connections() {
		return this.connections;
	}

	/**
	 * The next available connection, round-robin, or {@code null} when none is: every connection
	 * is draining or closed.
	 */
	public @Nullable TunnelConnection select() {
		List<TunnelConnection> candidates = this.connections;
		int size = candidates.size();
		if (size == 0) {
			return null;
		}
		int start = Math.floorMod(this.next.getAndIncrement(), size);
		for (int i = 0; i < size; i++) {
			TunnelConnection connection = candidates.get((start + i) % size);
			if (connection.isAvailable()) {
				return connection;
			}
		}
		return null;
	}

	HostnamePool with(TunnelConnection connection) {
		if (this.connections.contains(connection)) {
			return this;
		}
		List<TunnelConnection> copy = new ArrayList<>(this.connections.size() + 1);
		copy.addAll(this.connections);
		copy.add(connection);
		return new HostnamePool(this.hostname, List.copyOf(copy), this.next);
	}

	/** The pool without the connection; {@code null} when nothing is left. */
	@Nullable HostnamePool without(TunnelConnection connection) {
		if (!this.connections.contains(connection)) {
			return this;
		}
		List<TunnelConnection> copy = new ArrayList<>(this.connections);
		copy.remove(connection);
		return copy.isEmpty() ? null : new HostnamePool(this.hostname, List.copyOf(copy), this.next);
	}

}
