package dev.warp.edge.routing;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.tunnel.TunnelConnection;
import dev.warp.edge.tunnel.TunnelConnectionListener;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which tunnel connections serve which hostname, on this node. Connections join when their agent
 * registers and leave when they close. Lookups take no lock: each hostname maps to an immutable
 * {@link HostnamePool} that changes are swapped in for.
 */
public final class EdgeRouteTable implements TunnelConnectionListener {

	private static final Logger logger = LoggerFactory.getLogger(EdgeRouteTable.class);

	private final ConcurrentMap<String, HostnamePool> pools = new ConcurrentHashMap<>();

	/** Adds a registered connection to the pool of its hostname. */
	public void register(TunnelConnection connection) {
		String hostname = hostnameOf(connection);
		this.pools.compute(hostname, (name, pool) -> ((pool != null) ? pool : HostnamePool.empty(name)).with(connection));
		logger.debug("Routing {} to {}", hostname, connection);
	}

	/** Removes a connection from the pool of its hostname; the pool goes away with its last connection. */
	public void unregister(TunnelConnection connection) {
		String hostname = hostnameOf(connection);
		this.pools.computeIfPresent(hostname, (name, pool) -> pool.without(connection));
		logger.debug("No longer routing {} to {}", hostname, connection);
	}

	/**
	 * A connection to send a new request for the hostname to, or {@code null} when no
	 * connection is available for it.
	 * @param hostname a hostname, normalized or not (as in a {@code Host} header)
	 */
	public @Nullable TunnelConnection select(String hostname) {
		String name = TunnelProtocol.routingHostname(hostname);
		HostnamePool pool = (name != null) ? this.pools.get(name) : null;
		return (pool != null) ? pool.select() : null;
	}

	/** The pool of a hostname, or {@code null} when no connection serves it. */
	public @Nullable HostnamePool pool(String hostname) {
		String name = TunnelProtocol.routingHostname(hostname);
		return (name != null) ? this.pools.get(name) : null;
	}

	/** Hostnames served by at least one connection, sorted. */
	public Set<String> hostnames() {
		return Collections.unmodifiableSet(new TreeSet<>(this.pools.keySet()));
	}

	/** Every hostname with the status of its connections, sorted by hostname. */
	public SortedMap<String, List<ConnectionStatus>> snapshot() {
		SortedMap<String, List<ConnectionStatus>> snapshot = new TreeMap<>();
		for (Map.Entry<String, HostnamePool> entry : this.pools.entrySet()) {
			snapshot.put(entry.getKey(), entry.getValue().connections().stream().map(ConnectionStatus::of).toList());
		}
		return Collections.unmodifiableSortedMap(snapshot);
	}

	@Override
	public void registered(TunnelConnection connection) {
		register(connection);
	}

	@Override
	public void unregistered(TunnelConnection connection) {
		unregister(connection);
	}

	private static String hostnameOf(TunnelConnection connection) {
		String hostname = connection.hostname();
		if (hostname == null) {
			throw new IllegalArgumentException(connection + " has not registered a hostname");
		}
		return hostname;
	}

}
