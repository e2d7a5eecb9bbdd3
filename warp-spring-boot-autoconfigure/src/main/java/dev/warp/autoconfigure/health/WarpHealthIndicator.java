package dev.warp.autoconfigure.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.warp.agent.ConnectionSnapshot;
import dev.warp.agent.ConnectionState;
import dev.warp.agent.WarpTunnel;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * {@link ReactiveHealthIndicator} of the Warp tunnel: {@code UP} while at least one connection
 * is registered at an edge, {@code DOWN} with none. The details show the hostname, how many
 * connections are wanted ({@code desired}) and registered ({@code connected}), over how many
 * distinct edge nodes, whether the application accepts traffic, and every connection with its
 * edge node, state, round-trip time, requests in flight and last error.
 *
 * <p>The edge's health checks see the connections, not the application: this indicator shows
 * the tunnel's side, the application's own readiness is a separate indicator.
 */
public class WarpHealthIndicator extends AbstractReactiveHealthIndicator {

	private final WarpTunnel tunnel;

	public WarpHealthIndicator(WarpTunnel tunnel) {
		super("Warp tunnel health check failed");
		this.tunnel = tunnel;
	}

	@Override
	protected Mono<Health> doHealthCheck(Health.Builder builder) {
		List<ConnectionSnapshot> connections = this.tunnel.connections();
		List<ConnectionSnapshot> registered = connections.stream()
			.filter((connection) -> connection.state() == ConnectionState.REGISTERED)
			.toList();
		long distinctEdges = registered.stream().map(ConnectionSnapshot::edge).filter(Objects::nonNull).distinct().count();
		builder.status(registered.isEmpty() ? Status.DOWN : Status.UP)
			.withDetail("hostname", this.tunnel.settings().hostname())
			.withDetail("desired", this.tunnel.settings().connections())
			.withDetail("connected", registered.size())
			.withDetail("distinctEdges", distinctEdges)
			.withDetail("acceptingTraffic", this.tunnel.isAcceptingTraffic())
			.withDetail("connections", connections.stream().map(WarpHealthIndicator::describe).toList());
		return Mono.just(builder.build());
	}

	/** One connection as a details entry; absent values ({@code edge}, {@code lastError}, ...) are {@code null}. */
	static Map<String, Object> describe(ConnectionSnapshot connection) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("index", connection.index());
		details.put("edge", connection.edge());
		details.put("edgeAddress", connection.edgeAddress().isEmpty() ? null : connection.edgeAddress());
		details.put("state", connection.state().displayName());
		details.put("since", connection.since().toString());
		details.put("rttMillis", (connection.rttMillis() >= 0) ? connection.rttMillis() : null);
		details.put("activeStreams", connection.activeStreams());
		details.put("lastError", connection.lastError());
		return details;
	}

}
