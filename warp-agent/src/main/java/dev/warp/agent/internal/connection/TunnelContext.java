package dev.warp.agent.internal.connection;

import dev.warp.agent.EdgeAddress;
import dev.warp.agent.TunnelSettings;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;

/**
 * What every connection of one tunnel shares: its settings, the TLS context that trusts the edge
 * CA and presents the origin certificate, the HTTP/2 server that serves the application, the event loops, the statistics it adds to
 * and whether the application accepts traffic.
 */
public record TunnelContext(TunnelSettings settings, OriginTls tls, TunnelServer server, EventLoopGroup group,
		Class<? extends Channel> channelType, TunnelRecorder statistics, Readiness readiness) {

	/** The TLS context for a new connection: trusts the edge CA, presents the current origin certificate. */
	public SslContext sslContext() {
		return this.tls.sslContext();
	}

	/** A new, not yet opened connection for a slot of the tunnel. */
	public TunnelConnection newConnection(int index, EdgeAddress address) {
		return new TunnelConnection(index, address, this);
	}

}
