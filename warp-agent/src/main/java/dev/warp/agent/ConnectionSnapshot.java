package dev.warp.agent;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * What one connection slot of the tunnel looks like at a moment: what health details and the
 * actuator endpoint show.
 *
 * @param index the slot number, stable across reconnects
 * @param edgeAddress the address dialled
 * @param edge the id of the edge node that accepted the connection, or {@code null} before it did
 * @param state where the connection stands
 * @param since when it entered that state
 * @param rttMillis last measured round-trip time in milliseconds (fractional), or {@code -1} when not
 * measured yet
 * @param activeStreams requests in flight on this connection
 * @param lastError the last failure of this slot, or {@code null}
 */
public record ConnectionSnapshot(int index, String edgeAddress, @Nullable String edge, ConnectionState state,
		Instant since, double rttMillis, int activeStreams, @Nullable String lastError) {

}
