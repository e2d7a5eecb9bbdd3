package dev.warp.edge.exchange;

import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.tunnel.TunnelConnection;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/** The tunnel connections of this node, chosen from its route table: the {@link Upstream} of its public listener. */
public final class LocalTunnels implements Upstream {

	private final EdgeRouteTable routes;

	public LocalTunnels(EdgeRouteTable routes) {
		this.routes = routes;
	}

	@Override
	public @Nullable TunnelConnection select(String hostname) {
		return this.routes.select(hostname);
	}

	@Override
	public @Nullable TunnelConnection another(String hostname, @Nullable TunnelConnection failedOn) {
		TunnelConnection other = this.routes.select(hostname);
		return (other != failedOn) ? other : null;
	}

	@Override
	public Future<Http2StreamChannel> open(TunnelConnection connection, ChannelHandler attempt, boolean wakeUp) {
		return connection.openStream(attempt, wakeUp);
	}

}
