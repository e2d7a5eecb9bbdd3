package dev.warp.edge.routing;

import java.time.Instant;

import dev.warp.edge.tunnel.ConnectionHealth;
import dev.warp.edge.tunnel.TunnelConnection;
import org.jspecify.annotations.Nullable;

/**
 * What the status API shows about one tunnel connection, taken at one moment.
 *
 * @param id the edge-side connection id
 * @param agent the agent's id: one per replica of the application
 * @param agentConnection the agent's own number for this connection
 * @param remote the agent's address
 * @param state {@code registered}, {@code draining}, ...
 * @param ready whether the agent's application accepts traffic (its readiness)
 * @param activeStreams requests in flight
 * @param since when the connection entered its state
 * @param rttMillis the last round trip of the edge's heartbeat, {@code null} before the first
 * @param latencyMillis recent time from a request's stream to the agent's response headers,
 * {@code null} before the first response
 * @param errorRate recent share of requests the tunnel failed, 0 to 1
 * @param answered requests the agent answered on this connection
 * @param failed requests the tunnel failed on this connection
 */
public record ConnectionStatus(String id, @Nullable String agent, @Nullable String agentConnection, String remote,
		String state, boolean ready, int activeStreams, Instant since, @Nullable Double rttMillis,
		@Nullable Double latencyMillis, double errorRate, long answered, long failed) {

	static ConnectionStatus of(TunnelConnection connection) {
		ConnectionHealth health = connection.health();
		long rtt = connection.rttNanos();
		double latency = health.latencyNanos();
		return new ConnectionStatus(connection.id(), connection.agentId(), connection.agentConnection(),
				connection.remoteAddress(), connection.state().label(), connection.isReady(), connection.activeStreams(),
				connection.since(), (rtt >= 0) ? rtt / 1_000_000.0 : null, (latency >= 0) ? latency / 1_000_000.0 : null,
				health.errorRate(), health.answeredRequests(), health.failedRequests());
	}

}
