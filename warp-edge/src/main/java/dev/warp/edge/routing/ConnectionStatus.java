package dev.warp.edge.routing;

import java.time.Instant;

import dev.warp.edge.tunnel.TunnelConnection;
import org.jspecify.annotations.Nullable;

/**
 * What the status API shows about one tunnel connection, taken at one moment.
 *
 * @param id the edge-side connection id
 * @param agent the agent's id
 * @param agentConnection the agent's own number for this connection
 * @param remote the agent's address
 * @param state {@code registered}, {@code draining}, ...
 * @param activeStreams requests in flight
 * @param since when the connection entered its state
 */
public record ConnectionStatus(String id, @Nullable String agent, @Nullable String agentConnection, String remote,
		String state, int activeStreams, Instant since) {

	static ConnectionStatus of(TunnelConnection connection) {
		return new ConnectionStatus(connection.id(), connection.agentId(), connection.agentConnection(),
				connection.remoteAddress(), connection.state().label(), connection.activeStreams(), connection.since());
	}

}
