package dev.warp.edge.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.routing.HostnamePool;
import dev.warp.edge.tunnel.ConnectionHealth;
import dev.warp.edge.tunnel.ConnectionState;
import dev.warp.edge.tunnel.TunnelConnection;
import dev.warp.edge.tunnel.TunnelConnectionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * The metrics of one edge node, every meter tagged with the node's id ({@code node}):
 * <ul>
 * <li>{@code warp.edge.tunnels} (gauge): hostnames this node has tunnel connections for</li>
 * <li>{@code warp.edge.connections} (gauge, tags {@code hostname}, {@code state}:
 * {@code ready}, {@code not-ready}, {@code draining}): tunnel connections per hostname</li>
 * <li>{@code warp.edge.replicas} (gauge, tag {@code hostname}): agents (application replicas)
 * per hostname</li>
 * <li>{@code warp.edge.requests} (timer, tags {@code hostname}, {@code status},
 * {@code outcome}): visitors' requests, until their response is complete</li>
 * <li>{@code warp.edge.proxy.latency} (timer, tag {@code hostname}): from a request's tunnel
 * stream opening to the agent's response headers</li>
 * <li>{@code warp.edge.tunnel.errors} (counter, tag {@code hostname}): requests the tunnel
 * failed (stream reset or refused, connection lost)</li>
 * <li>{@code warp.edge.provisioning.refused} (counter, tag {@code reason}: {@code token},
 * {@code zone}, {@code request}, {@code too-many-failures}): requests the provisioning API
 * refused</li>
 * <li>{@code warp.edge.public.connections} (gauge): visitor connections open, and
 * {@code warp.edge.public.connections.refused} (counter, tag {@code reason}): visitor connections
 * closed as soon as accepted, by the limit that refused them</li>
 * <li>{@code warp.edge.tunnel.handshakes} (gauge): tunnel connections not yet authenticated, and
 * {@code warp.edge.tunnel.connections.refused} (counter, tag {@code reason}): tunnel connections
 * closed as soon as accepted</li>
 * </ul>
 * A visitor's request for a hostname that has no tunnel here is tagged {@code hostname=other},
 * so that visitors cannot make up tag values. A request the visitor gave up on before its
 * response started is tagged {@code outcome=CANCELLED, status=UNKNOWN}.
 */
public final class EdgeMetrics {

	/** The {@code state} tags of {@code warp.edge.connections}. */
	private static final List<String> STATES = List.of("ready", "not-ready", "draining");

	/** The hostname tag of requests for hostnames without a tunnel connection on this node. */
	static final String OTHER_HOSTNAME = "other";

	private final String nodeId;

	private final EdgeRouteTable routes;

	private final MeterRegistry registry;

	private final MultiGauge connections;

	private final MultiGauge replicas;

	private final boolean ownsRegistry;

	private final Map<RequestTags, Timer> requestTimers = new ConcurrentHashMap<>();

	private EdgeMetrics(String nodeId, EdgeRouteTable routes, MeterRegistry registry, boolean ownsRegistry) {
		this.nodeId = nodeId;
		this.routes = routes;
		this.registry = registry;
		this.ownsRegistry = ownsRegistry;
		Gauge.builder("warp.edge.tunnels", routes, (table) -> table.hostnames().size())
			.description("Hostnames with tunnel connections on this edge node")
			.tag("node", nodeId)
			.register(registry);
		this.connections = MultiGauge.builder("warp.edge.connections")
			.description("Tunnel connections of a hostname on this edge node")
			.tag("node", nodeId)
			.register(registry);
		this.replicas = MultiGauge.builder("warp.edge.replicas")
			.description("Application replicas (agents) with tunnel connections for a hostname on this edge node")
			.tag("node", nodeId)
			.register(registry);
	}

	/**
	 * The metrics of a node.
	 * @param nodeId the node's id, the {@code node} tag of every meter
	 * @param routes the node's route table
	 * @param registry where the meters go; {@code null} for a registry of the node's own (Prometheus'
	 * when it is on the class path)
	 */
	public static EdgeMetrics create(String nodeId, EdgeRouteTable routes, @Nullable MeterRegistry registry) {
		return (registry != null) ? new EdgeMetrics(nodeId, routes, registry, false)
				: new EdgeMetrics(nodeId, routes, PrometheusFormat.newRegistry(), true);
	}

	/**
	 * A gauge of connections open or waiting now, read from {@code source}, which outlives it.
	 * @param name the gauge's name, e.g. {@code warp.edge.public.connections}
	 */
	public <T> void connections(String name, String description, T source, ToDoubleFunction<T> count) {
		Gauge.builder(name, source, count).description(description).tag("node", this.nodeId).register(this.registry);
	}

	/**
	 * A counter of connections a listener closed as soon as it accepted them, read from
	 * {@code source}, which outlives it.
	 * @param name the counter's name, e.g. {@code warp.edge.public.connections.refused}
	 * @param reason its {@code reason} tag: the limit that refused them, e.g. the property's name
	 */
	public <T> void refusedConnections(String name, String reason, String description, T source,
			ToDoubleFunction<T> count) {
		FunctionCounter.builder(name, source, count)
			.description(description)
			.tags("node", this.nodeId, "reason", reason)
			.register(this.registry);
	}

	/**
	 * Counts a request the provisioning API refused.
	 * @param reason why, one of a few fixed words (never what the client sent)
	 */
	public void provisioningRefused(String reason) {
		Counter.builder("warp.edge.provisioning.refused")
			.description("Requests the provisioning API refused, by reason")
			.tag("node", this.nodeId)
			.tag("reason", reason)
			.register(this.registry)
			.increment();
	}

	/** The registry the meters are in. */
	public MeterRegistry registry() {
		return this.registry;
	}

	/**
	 * Closes the node's own registry, or removes the node's meters from a registry it was
	 * given, which outlives the node.
	 */
	public void close() {
		if (this.ownsRegistry) {
			this.registry.close();
			return;
		}
		for (Meter meter : this.registry.getMeters()) {
			Meter.Id id = meter.getId();
			if (id.getName().startsWith("warp.edge.") && this.nodeId.equals(id.getTag("node"))) {
				this.registry.remove(meter);
			}
		}
	}

	/**
	 * The meters in Prometheus' text format, or {@code null} when Prometheus' registry is not on the
	 * class path or the registry is not (and does not contain) one.
	 */
	public @Nullable String scrape() {
		return PrometheusFormat.scrape(this.registry);
	}

	/**
	 * Tells the route table (or whatever routes) first, then counts: registrations and
	 * departures refresh the per-hostname gauges, and each registered connection reports its
	 * requests' latency and failures.
	 */
	public TunnelConnectionListener observing(TunnelConnectionListener routing) {
		return new TunnelConnectionListener() {

			@Override
			public @Nullable String registered(TunnelConnection connection) {
				String refusal = routing.registered(connection);
				if (refusal == null) {
					observe(connection);
					refresh();
				}
				return refusal;
			}

			@Override
			public void unregistered(TunnelConnection connection) {
				routing.unregistered(connection);
				connection.health().listener(null);
				refresh();
			}

		};
	}

	/**
	 * Records one visitor request in {@code warp.edge.requests}.
	 * @param host the request's {@code Host} header
	 * @param status the response's status
	 * @param cancelledBeforeResponse whether the visitor gave up before the response started
	 * @param nanos the time from the request's headers to its response's end
	 */
	public void recordRequest(@Nullable String host, int status, boolean cancelledBeforeResponse, long nanos) {
		String hostname = TunnelProtocol.routingHostname(host);
		record((hostname != null && this.routes.pool(hostname) != null) ? hostname : OTHER_HOSTNAME, status,
				cancelledBeforeResponse, nanos);
	}

	/**
	 * Records one visitor request in {@code warp.edge.requests}, as {@link #recordRequest} does, for
	 * a request the edge routed to one of its tunnel connections: its hostname is a registered one
	 * already normalized, which the hottest path need not look up again.
	 * @param hostname the routing hostname the request was sent to ({@link TunnelProtocol#routingHostname})
	 */
	public void recordRoutedRequest(String hostname, int status, boolean cancelledBeforeResponse, long nanos) {
		record(hostname, status, cancelledBeforeResponse, nanos);
	}

	private void record(String hostnameTag, int status, boolean cancelledBeforeResponse, long nanos) {
		String statusTag = cancelledBeforeResponse ? "UNKNOWN" : Integer.toString(status);
		String outcome = cancelledBeforeResponse ? "CANCELLED" : outcome(status);
		// Looked up in a map of our own: building and registering the meter's id per request
		// costs more than the request's own proxying on the edge's hottest path.
		this.requestTimers.computeIfAbsent(new RequestTags(hostnameTag, statusTag, outcome),
				(tags) -> Timer.builder("warp.edge.requests")
					.description("Visitors' requests, until their response is complete")
					.tags("node", this.nodeId, "hostname", tags.hostname(), "status", tags.status(), "outcome",
							tags.outcome())
					.register(this.registry))
			.record(nanos, TimeUnit.NANOSECONDS);
	}

	private record RequestTags(String hostname, String status, String outcome) {
	}

	private static String outcome(int status) {
		return switch (status / 100) {
			case 1 -> "INFORMATIONAL";
			case 2 -> "SUCCESS";
			case 3 -> "REDIRECTION";
			case 4 -> "CLIENT_ERROR";
			case 5 -> "SERVER_ERROR";
			default -> "UNKNOWN";
		};
	}

	private void observe(TunnelConnection connection) {
		String hostname = connection.hostname();
		if (hostname == null) {
			return;
		}
		Timer latency = Timer.builder("warp.edge.proxy.latency")
			.description("Time from opening a request's tunnel stream to the agent's response headers")
			.tags("node", this.nodeId, "hostname", hostname)
			.publishPercentileHistogram()
			.register(this.registry);
		Counter errors = Counter.builder("warp.edge.tunnel.errors")
			.description("Requests the tunnel failed: stream reset or refused, connection lost")
			.tags("node", this.nodeId, "hostname", hostname)
			.register(this.registry);
		connection.health().listener(new ConnectionHealth.Listener() {

			@Override
			public void answered(long latencyNanos) {
				latency.record(latencyNanos, TimeUnit.NANOSECONDS);
			}

			@Override
			public void failed() {
				errors.increment();
			}

		});
	}

	/**
	 * Sets the rows of the per-hostname gauges to the hostnames and states there are now. Runs
	 * when a connection comes or goes, which is rare next to requests; the lock only keeps two
	 * refreshes from overtaking each other.
	 */
	private synchronized void refresh() {
		List<MultiGauge.Row<?>> connectionRows = new ArrayList<>();
		List<MultiGauge.Row<?>> replicaRows = new ArrayList<>();
		for (String hostname : this.routes.hostnames()) {
			HostnamePool pool = this.routes.pool(hostname);
			if (pool == null) {
				continue;
			}
			// Every state has its row, so that a change of readiness shows without a refresh.
			for (String state : STATES) {
				connectionRows.add(MultiGauge.Row.of(Tags.of("hostname", hostname, "state", state), this.routes,
						(routes) -> count(routes, hostname, state)));
			}
			replicaRows.add(MultiGauge.Row.of(Tags.of("hostname", hostname), this.routes,
					(routes) -> replicas(routes, hostname)));
		}
		this.connections.register(connectionRows, true);
		this.replicas.register(replicaRows, true);
	}

	private static String state(TunnelConnection connection) {
		if (connection.state() != ConnectionState.REGISTERED) {
			return connection.state().label();
		}
		return connection.isReady() ? "ready" : "not-ready";
	}

	private static double count(EdgeRouteTable routes, String hostname, String state) {
		HostnamePool pool = routes.pool(hostname);
		return (pool != null) ? pool.connections().stream().filter((c) -> state.equals(state(c))).count() : 0;
	}

	private static double replicas(EdgeRouteTable routes, String hostname) {
		HostnamePool pool = routes.pool(hostname);
		return (pool != null) ? pool.connections().stream().map(TunnelConnection::agentId).distinct().count() : 0;
	}

}
