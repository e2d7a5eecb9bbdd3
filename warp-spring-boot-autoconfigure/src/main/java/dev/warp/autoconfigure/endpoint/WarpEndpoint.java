package dev.warp.autoconfigure.endpoint;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.warp.agent.ConnectionSnapshot;
import dev.warp.agent.ConnectionState;
import dev.warp.agent.EdgeAddress;
import dev.warp.agent.ReconnectReason;
import dev.warp.agent.TunnelStatistics;
import dev.warp.agent.WarpTunnel;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@link Endpoint @Endpoint} {@code warp}: the whole state of the tunnel, and two write
 * operations for operators:
 * <ul>
 * <li>{@code reconnect}: replaces every connection, each new one registered before its old one
 * drains; opens the tunnel again when it was drained</li>
 * <li>{@code drain}: tells the edge to send no new requests, lets the requests in flight finish
 * within {@code warp.grace-period}, then closes every connection; the tunnel stays closed until
 * {@code reconnect} or a restart</li>
 * </ul>
 * Over HTTP: {@code GET /actuator/warp}, {@code POST /actuator/warp/reconnect},
 * {@code POST /actuator/warp/drain}.
 */
@Endpoint(id = "warp")
public class WarpEndpoint {

	private final WarpTunnel tunnel;

	public WarpEndpoint(WarpTunnel tunnel) {
		this.tunnel = tunnel;
	}

	@ReadOperation
	public TunnelDescriptor tunnel() {
		WarpTunnel tunnel = this.tunnel;
		List<ConnectionSnapshot> connections = tunnel.connections();
		List<ConnectionSnapshot> registered = connections.stream()
			.filter((connection) -> connection.state() == ConnectionState.REGISTERED)
			.toList();
		TunnelStatistics statistics = tunnel.statistics();
		Map<String, Long> reconnects = new LinkedHashMap<>();
		for (ReconnectReason reason : ReconnectReason.values()) {
			reconnects.put(reason.tagValue(), statistics.reconnects(reason));
		}
		return new TunnelDescriptor(tunnel.settings().hostname(), tunnel.settings().agentId(), tunnel.isRunning(),
				tunnel.isAcceptingTraffic(), tunnel.settings().connections(), registered.size(),
				registered.stream().map(ConnectionSnapshot::edge).filter(Objects::nonNull).distinct().count(),
				tunnel.settings().edgeAddresses().stream().map(EdgeAddress::toString).toList(),
				connections.stream().map(ConnectionDescriptor::of).toList(),
				new RequestsDescriptor(statistics.activeRequests(), statistics.requests()),
				new BytesDescriptor(statistics.bytesReceived(), statistics.bytesSent()), reconnects);
	}

	/**
	 * Runs an operation on the tunnel.
	 * @param operation {@code reconnect} or {@code drain}
	 * @return the tunnel's state once the operation started ({@code reconnect}) or finished
	 * ({@code drain})
	 */
	@WriteOperation
	public Mono<TunnelDescriptor> operate(@Selector String operation) {
		return switch (operation) {
			case "reconnect" -> Mono.fromSupplier(() -> {
				if (this.tunnel.isRunning()) {
					this.tunnel.reconnect();
				}
				else {
					this.tunnel.start();
				}
				return tunnel();
			});
			case "drain" -> this.tunnel.stop().then(Mono.fromSupplier(this::tunnel));
			default -> throw new InvalidEndpointRequestException("Unknown operation '" + operation
					+ "': use reconnect or drain", "Unknown operation; use reconnect or drain");
		};
	}

	/**
	 * The state of the tunnel.
	 *
	 * @param hostname the hostname it serves
	 * @param agent this replica's agent id, as the edge knows it
	 * @param running whether it is open (not stopped or drained)
	 * @param acceptingTraffic whether the edge is told to send new requests here
	 * @param desired connections it keeps
	 * @param connected connections registered at an edge now
	 * @param distinctEdges distinct edge nodes those are registered at
	 * @param edgeAddresses the edge addresses it dials
	 * @param connections every connection slot
	 * @param requests requests in flight and in total
	 * @param bytes bytes on the sockets
	 * @param reconnects connections replaced, per reason
	 */
	public record TunnelDescriptor(String hostname, String agent, boolean running, boolean acceptingTraffic,
			int desired, int connected, long distinctEdges, List<String> edgeAddresses,
			List<ConnectionDescriptor> connections, RequestsDescriptor requests, BytesDescriptor bytes,
			Map<String, Long> reconnects) implements OperationResponseBody {

	}

	/**
	 * One connection slot.
	 *
	 * @param index the slot's number, stable across reconnects
	 * @param edge the edge node's id, once known
	 * @param edgeAddress the address dialled
	 * @param state {@code connecting}, {@code registered}, {@code draining}, {@code backoff} or
	 * {@code closed}
	 * @param since when it entered that state
	 * @param rttMillis the last heartbeat round trip, once measured
	 * @param activeStreams requests in flight on it
	 * @param lastError its last failure
	 */
	public record ConnectionDescriptor(int index, @Nullable String edge, @Nullable String edgeAddress, String state,
			String since, @Nullable Double rttMillis, int activeStreams, @Nullable String lastError) {

		static ConnectionDescriptor of(ConnectionSnapshot connection) {
			return new ConnectionDescriptor(connection.index(), connection.edge(),
					connection.edgeAddress().isEmpty() ? null : connection.edgeAddress(),
					connection.state().displayName(), connection.since().toString(),
					(connection.rttMillis() >= 0) ? connection.rttMillis() : null, connection.activeStreams(),
					connection.lastError());
		}

	}

	/**
	 * Requests through the tunnel.
	 *
	 * @param active being served now
	 * @param total ended since the application started
	 */
	public record RequestsDescriptor(int active, long total) {

	}

	/**
	 * Bytes on the tunnel connections' sockets since the application started.
	 *
	 * @param received read
	 * @param sent written
	 */
	public record BytesDescriptor(long received, long sent) {

	}

}
