package dev.warp.edge.ingress;

import java.time.Duration;
import java.util.function.BiFunction;

import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.tunnel.TunnelConnection;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The public listener's handler: picks the tunnel connection for the request's hostname and
 * forwards the request on it, or answers {@code 400}/{@code 503} itself. In a cluster, a request
 * for a hostname without a tunnel here goes to a node that has one ({@link PeerForwarder}).
 */
final class TunnelProxy implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

	private final String nodeId;

	private final EdgeRouteTable routes;

	private final Duration responseTimeout;

	private final @Nullable PeerForwarder peers;

	/**
	 * @param peers forwards to the other nodes of the cluster what this node has no tunnel for;
	 * {@code null} for a node that stands alone
	 */
	TunnelProxy(String nodeId, EdgeRouteTable routes, Duration responseTimeout, @Nullable PeerForwarder peers) {
		this.nodeId = nodeId;
		this.routes = routes;
		this.responseTimeout = responseTimeout;
		this.peers = peers;
	}

	@Override
	public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
		String ray = RayIds.next(this.nodeId);
		String host = request.requestHeaders().get(HttpHeaderNames.HOST);
		String hostname = TunnelProtocol.routingHostname(host);
		if (host == null || hostname == null) {
			return EdgeErrors.send(response, HttpResponseStatus.BAD_REQUEST, "Missing Host header", ray);
		}
		TunnelConnection connection = this.routes.select(hostname);
		if (WebSocketUpgrade.isRequested(request)) {
			return webSocket(request, response, connection, host.trim(), hostname, ray);
		}
		if (connection == null && this.peers != null) {
			return this.peers.forward(request, response, host.trim(), hostname, ray);
		}
		if (connection == null) {
			return EdgeErrors.send(response, HttpResponseStatus.SERVICE_UNAVAILABLE,
					"No healthy tunnel for hostname " + hostname, ray);
		}
		PeerForwarder peers = this.peers;
		return new TunnelExchange(request, response, connection, (failed) -> this.routes.select(hostname), host.trim(), ray,
				this.responseTimeout)
			.orElsewhere((peers != null) ? () -> peers.forward(request, response, host.trim(), hostname, ray) : null)
			.forward();
	}

	private Publisher<Void> webSocket(HttpServerRequest request, HttpServerResponse response,
			@Nullable TunnelConnection connection, String host, String hostname, String ray) {
		if (connection == null) {
			// A WebSocket is relayed by the node that holds the tunnel: it is not forwarded between nodes.
			return EdgeErrors.send(response, HttpResponseStatus.SERVICE_UNAVAILABLE,
					"No healthy tunnel for hostname " + hostname + " on this edge node", ray);
		}
		return new WebSocketExchange(request, response, connection, (failed) -> this.routes.select(hostname), host, ray,
				this.responseTimeout).forward();
	}

}
