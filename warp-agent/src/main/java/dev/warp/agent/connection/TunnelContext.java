package dev.warp.agent.connection;

import dev.warp.agent.TunnelSettings;
import dev.warp.agent.observation.TunnelStatistics;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;

/**
 * What every connection of one tunnel shares: its settings, the TLS context that trusts the edge
 * CA, the HTTP/2 server that serves the application, the event loops, the statistics it adds to
 * and whether the application accepts traffic.
 */
public record TunnelContext(TunnelSettings settings, SslContext sslContext, TunnelServer server, EventLoopGroup group,
		Class<? extends Channel> channelType, TunnelStatistics statistics, Readiness readiness) {

	/** A new, not yet opened connection for a slot of the tunnel. */
	public TunnelConnection newConnection(int index, EdgeAddress address) {
		return new TunnelConnection(index, address, this);
	}

}
