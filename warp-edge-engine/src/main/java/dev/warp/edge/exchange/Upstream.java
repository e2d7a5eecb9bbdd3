package dev.warp.edge.exchange;

import dev.warp.edge.tunnel.TunnelConnection;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * Where an {@link Exchange}'s request goes: a stream on one of the tunnel connections that
 * serve its hostname. The exchange decides whether an attempt may be retried; this says where.
 */
public interface Upstream {

	/** A connection of the hostname's pool for a request, or {@code null} when none serves it here. */
	@Nullable TunnelConnection select(String hostname);

	/**
	 * A connection for the one retry of a request whose attempt failed on {@code failedOn}, or
	 * {@code null} when there is no other.
	 */
	@Nullable TunnelConnection another(String hostname, @Nullable TunnelConnection failedOn);

	/**
	 * Opens a stream for one attempt on the connection.
	 * @param wakeUp whether the connection's loop is woken for the stream now; without, the caller
	 * wakes it ({@link TunnelConnection#wakeUp()}) once it started all the requests of one read
	 */
	Future<Http2StreamChannel> open(TunnelConnection connection, ChannelHandler attempt, boolean wakeUp);

}
