package dev.warp.edge.exchange;

import java.time.Duration;

import dev.warp.edge.tunnel.StreamConnection;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * Where an {@link Exchange}'s request goes: a stream on one of the connections that serve its
 * hostname, a tunnel connection of this node or a connection to another node that has one. The
 * exchange decides whether an attempt may be retried; this says where.
 */
public interface Upstream {

	/** A connection for a request of the hostname, or {@code null} when none serves it. */
	@Nullable StreamConnection select(String hostname);

	/**
	 * A connection for the one retry of a request whose attempt failed on {@code failedOn}, or
	 * {@code null} when there is no other.
	 */
	@Nullable StreamConnection another(String hostname, @Nullable StreamConnection failedOn);

	/**
	 * Another edge node, for a request without a body that failed on every connection here before
	 * its response: an outage that kills one tunnel connection of a node often kills the others a
	 * moment later. {@code null} where there is none (a node alone, or a request from a peer).
	 */
	default @Nullable StreamConnection elsewhere(String hostname, @Nullable StreamConnection failedOn) {
		return null;
	}

	/**
	 * How much longer than the response timeout a request waits for its response on the
	 * connection: zero, or a second for another edge node, which times its agent out itself and
	 * whose {@code 504} (with its reason) should reach the visitor first.
	 */
	default Duration responseMargin(@Nullable StreamConnection connection) {
		return Duration.ZERO;
	}

	/**
	 * Opens a stream for one attempt on the connection.
	 * @param wakeUp whether the connection's loop is woken for the stream now; without, the caller
	 * wakes it ({@link StreamConnection#wakeUp()}) once it started all the requests of one read
	 */
	default Future<Http2StreamChannel> open(StreamConnection connection, ChannelHandler attempt, boolean wakeUp) {
		return connection.openStream(attempt, wakeUp);
	}

}
