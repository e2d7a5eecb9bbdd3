package dev.warp.edge.cluster;

import java.time.Duration;

import dev.warp.edge.exchange.LocalTunnels;
import dev.warp.edge.exchange.Upstream;
import dev.warp.edge.tunnel.StreamConnection;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Upstream} of a cluster node's public listener: the node's own tunnel connections
 * first; for a hostname without one here, the nodes the cluster's route table names for it
 * ({@link PeerRoute}); and those nodes again for a request that failed on every connection here.
 */
final class PeerUpstream implements Upstream {

	private final LocalTunnels local;

	private final PeerForwarder peers;

	PeerUpstream(LocalTunnels local, PeerForwarder peers) {
		this.local = local;
		this.peers = peers;
	}

	@Override
	public StreamConnection select(String hostname) {
		StreamConnection here = this.local.select(hostname);
		return (here != null) ? here : this.peers.route(hostname);
	}

	@Override
	public @Nullable StreamConnection another(String hostname, @Nullable StreamConnection failedOn) {
		return this.local.another(hostname, failedOn);
	}

	@Override
	public @Nullable StreamConnection elsewhere(String hostname, @Nullable StreamConnection failedOn) {
		// A request that failed on another node is not sent to a third: that node had tried its own.
		return (failedOn instanceof PeerRoute) ? null : this.peers.route(hostname);
	}

	@Override
	public Duration responseMargin(@Nullable StreamConnection connection) {
		return (connection instanceof PeerRoute) ? PeerRoute.RESPONSE_MARGIN : Duration.ZERO;
	}

}
