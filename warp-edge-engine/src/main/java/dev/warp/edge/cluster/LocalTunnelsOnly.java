package dev.warp.edge.cluster;

import dev.warp.edge.exchange.LocalTunnels;
import dev.warp.edge.exchange.NoTunnelException;
import dev.warp.edge.exchange.Upstream;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.tunnel.StreamConnection;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Upstream} of the peer listener: this node's own tunnel connections, never another
 * node (the node that forwarded the request asked the cluster's route table already, so nothing
 * loops). A hostname without a connection here any more is answered {@code 503} by the exchange,
 * with the ray id the forwarding node gave the request, naming this node.
 */
final class LocalTunnelsOnly implements Upstream {

	private final LocalTunnels local;

	private final String nodeId;

	LocalTunnelsOnly(EdgeRouteTable routes, String nodeId) {
		this.local = new LocalTunnels(routes);
		this.nodeId = nodeId;
	}

	@Override
	public StreamConnection select(String hostname) {
		StreamConnection here = this.local.select(hostname);
		return (here != null) ? here : new None(hostname, this.nodeId);
	}

	@Override
	public @Nullable StreamConnection another(String hostname, @Nullable StreamConnection failedOn) {
		return this.local.another(hostname, failedOn);
	}

	/** No connection for the hostname here: opening a stream fails with the {@code 503}'s reason. */
	private record None(String hostname, String nodeId) implements StreamConnection {

		@Override
		public String id() {
			return "no tunnel connection";
		}

		@Override
		public boolean isOnCurrentEventLoop() {
			return true;
		}

		@Override
		public Future<Http2StreamChannel> openStream(ChannelHandler handler, boolean wakeUp) {
			return ImmediateEventExecutor.INSTANCE.newFailedFuture(new NoTunnelException(
					"No healthy tunnel for hostname " + this.hostname + " on edge node " + this.nodeId));
		}

		@Override
		public void wakeUp() {
		}

	}

}
