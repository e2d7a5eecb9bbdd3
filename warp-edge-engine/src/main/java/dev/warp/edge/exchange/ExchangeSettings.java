package dev.warp.edge.exchange;

import java.time.Duration;

import dev.warp.edge.metrics.EdgeMetrics;
import dev.warp.edge.tunnel.WindowBudget;
import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;

/**
 * What the short path's forwarders ({@code Http1Forwarder}, {@code Http2Forwarder}) of a
 * listener's connections share, and the rule for the request bodies they take.
 *
 * @param scheme how visitors reach the listener: {@code http} or {@code https}
 * @param upstream where the requests go: the node's tunnel connections, and on a cluster node
 * the other nodes'
 * @param idleTimeout how long a response's stream may pass no byte once it started
 * @param maxRequestBody the largest request body the node forwards, in bytes
 * @param windows what the windows of the listener's responses grow within, or {@code null} for no
 * bound of the listener's own: the peer listener's, whose requests' windows the forwarding node
 * bounds for each of its visitors
 * @param webSocketPingInterval how often the edge pings the visitor of an open WebSocket, or
 * {@code null} for never
 */
public record ExchangeSettings(String nodeId, String scheme, Upstream upstream, Duration responseTimeout,
		@Nullable Duration idleTimeout, long maxRequestBody, @Nullable EdgeMetrics metrics,
		@Nullable WindowBudget windows, @Nullable Duration webSocketPingInterval) {

	public ExchangeSettings scheme(String scheme) {
		return new ExchangeSettings(this.nodeId, scheme, this.upstream, this.responseTimeout, this.idleTimeout,
				this.maxRequestBody, this.metrics, this.windows,
				this.webSocketPingInterval);
	}

	/** What the windows of a visitor connection's responses grow within, or {@code null} for no bound here. */
	public @Nullable WindowBudget windowsOf(Channel channel) {
		return (this.windows != null) ? this.windows.forConnection(channel) : null;
	}

}
