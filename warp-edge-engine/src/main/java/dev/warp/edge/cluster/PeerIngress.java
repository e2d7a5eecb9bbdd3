package dev.warp.edge.cluster;

import java.time.Duration;
import java.util.function.BiFunction;

import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.ForwardedHeaders;
import dev.warp.edge.exchange.RayIds;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.tunnel.TunnelConnection;
import dev.warp.edge.visitor.TunnelExchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The peer listener's handler: sends a request another node forwarded down one of this node's
 * own tunnel connections, keeping the headers and the ray id that node gave it, or answers
 * {@code 503} when this node has none for the hostname (any more). It never forwards to a third
 * node.
 */
public final class PeerIngress implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

	private final String nodeId;

	private final EdgeRouteTable routes;

	private final Duration responseTimeout;

	private final long maxRequestBody;

	private final @Nullable Duration idleTimeout;

	PeerIngress(String nodeId, EdgeRouteTable routes, Duration responseTimeout, long maxRequestBody,
			@Nullable Duration idleTimeout) {
		this.maxRequestBody = maxRequestBody;
		this.idleTimeout = idleTimeout;
		this.nodeId = nodeId;
		this.routes = routes;
		this.responseTimeout = responseTimeout;
	}

	@Override
	public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
		String forwardedRay = request.requestHeaders().get(TunnelProtocol.RAY_HEADER);
		String ray = (forwardedRay != null && !forwardedRay.isBlank()) ? forwardedRay.trim() : RayIds.next(this.nodeId);
		String host = request.requestHeaders().get(HttpHeaderNames.HOST);
		String hostname = TunnelProtocol.routingHostname(host);
		if (host == null || hostname == null) {
			return EdgeErrors.send(response, HttpResponseStatus.BAD_REQUEST, "Missing Host header", ray);
		}
		TunnelConnection connection = this.routes.select(hostname);
		if (connection == null) {
			return EdgeErrors.send(response, HttpResponseStatus.SERVICE_UNAVAILABLE,
					"No healthy tunnel for hostname " + hostname + " on edge node " + this.nodeId, ray);
		}
		return new TunnelExchange(request, response, connection, (failed) -> this.routes.select(hostname), host.trim(), ray,
				this.responseTimeout)
			.limits(this.maxRequestBody, this.idleTimeout)
			.forward(ForwardedHeaders.fromPeer(request, host.trim()));
	}

}
