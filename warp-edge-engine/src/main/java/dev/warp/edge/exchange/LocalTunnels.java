package dev.warp.edge.exchange;

import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.tunnel.StreamConnection;
import dev.warp.edge.tunnel.TunnelConnection;
import org.jspecify.annotations.Nullable;

/**
 * The tunnel connections of this node, chosen from its route table: the {@link Upstream} of a
 * node alone, and of requests another node forwarded here.
 */
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
	public @Nullable TunnelConnection another(String hostname, @Nullable StreamConnection failedOn) {
		TunnelConnection other = this.routes.select(hostname);
		return (other != failedOn) ? other : null;
	}

}
