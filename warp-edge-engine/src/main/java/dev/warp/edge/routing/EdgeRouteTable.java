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

	private final Set<String> sharedHostnames;

	/** A route table where every hostname is served by one account's agents at a time. */
	public EdgeRouteTable() {
		this(Set.of());
	}

	/**
	 * A route table where every hostname is served by one account's agents at a time, except the
	 * given ones.
	 * @param sharedHostnames hostnames (normalized) whose pools take agents of every account
	 */
	public EdgeRouteTable(Set<String> sharedHostnames) {
		this.sharedHostnames = Set.copyOf(sharedHostnames);
	}

	/**
	 * Adds a registered connection to the pool of its hostname, unless the agents of another
	 * account serve the hostname: a tenant's hostname never takes in another tenant's agents.
	 * @return {@code null} when the connection joined the pool, or why it may not
	 */
	public @Nullable String register(TunnelConnection connection) {
		String hostname = hostnameOf(connection);
		String[] refusal = new String[1];
		this.pools.compute(hostname, (name, pool) -> {
			if (pool == null) {
				return HostnamePool.empty(name).with(connection);
			}
			if (!pool.account().equals(connection.account()) && !this.sharedHostnames.contains(name)) {
				refusal[0] = servedByAnotherAccount(name, connection);
				return pool;
			}
			return pool.with(connection);
		});
		if (refusal[0] == null) {
			logger.debug("Routing {} to {}", hostname, connection);
		}
		return refusal[0];
	}

	/** Removes a connection from the pool of its hostname; the pool goes away with its last connection. */
	public void unregister(TunnelConnection connection) {
		String hostname = hostnameOf(connection);
		this.pools.computeIfPresent(hostname, (name, pool) -> pool.without(connection));
		logger.debug("No longer routing {} to {}", hostname, connection);
	}

	/** Why a connection may not join the pool of a hostname another account's agents serve. */
	public static String servedByAnotherAccount(String hostname, TunnelConnection connection) {
		return hostname + " is served by the agents of another account (this agent's certificate comes from a token "
				+ "for zone " + connection.account() + "); ask the edge's operator for a token of the account that "
				+ "serves it, or to let accounts share it (edge.routing.shared-hostnames)";
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
	public @Nullable String registered(TunnelConnection connection) {
		return register(connection);
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
