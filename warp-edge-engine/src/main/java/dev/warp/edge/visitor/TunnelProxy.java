package dev.warp.edge.visitor;

import java.time.Duration;
import java.util.function.BiFunction;

import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.cluster.PeerForwarder;
import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.RayIds;
import dev.warp.edge.exchange.RequestBodies;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.tunnel.TunnelConnection;
import dev.warp.edge.tunnel.WindowBudget;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2StreamChannel;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The public listener's handler: picks the tunnel connection for the request's hostname and
 * forwards the request on it, or answers {@code 400}/{@code 503} itself: {@code 400} for a
 * missing {@code Host}, or an HTTP/2 {@code host} that disagrees with {@code :authority}. In a cluster, a request
 * for a hostname without a tunnel here goes to a node that has one ({@link PeerForwarder}).
 * WebSocket handshakes never come here: {@link WebSocketVisitor} and {@link Http2WebSocket} answer
 * every one before.
 */
public final class TunnelProxy implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

	private final String nodeId;

	private final EdgeRouteTable routes;

	private final Duration responseTimeout;

	private final @Nullable PeerForwarder peers;

	private final long maxRequestBody;

	private final Duration idleTimeout;

	private final WindowBudget windows;

	/**
	 * @param peers forwards to the other nodes of the cluster what this node has no tunnel for;
	 * {@code null} for a node that stands alone
	 * @param maxRequestBody the largest request body forwarded, in bytes
	 * @param idleTimeout how long a stream may pass no byte once its response started
	 * @param windows what the windows of responses' tunnel streams grow within
	 */
	TunnelProxy(String nodeId, EdgeRouteTable routes, Duration responseTimeout, @Nullable PeerForwarder peers,
			long maxRequestBody, Duration idleTimeout, WindowBudget windows) {
		this.nodeId = nodeId;
		this.routes = routes;
		this.responseTimeout = responseTimeout;
		this.peers = peers;
		this.maxRequestBody = maxRequestBody;
		this.idleTimeout = idleTimeout;
		this.windows = windows;
	}

	@Override
	public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
		Channel[] channel = new Channel[1];
		request.withConnection((connection) -> channel[0] = connection.channel());
		RequestHeaderTimeout.headersReceived(channel[0]);
		return Mono.defer(() -> route(request, response))
			.doFinally((signal) -> RequestHeaderTimeout.responseComplete(channel[0]));
	}

	private Mono<Void> route(HttpServerRequest request, HttpServerResponse response) {
		String ray = RayIds.next(this.nodeId);
		String host = request.requestHeaders().get(HttpHeaderNames.HOST);
		String hostname = TunnelProtocol.routingHostname(host);
		if (host == null || hostname == null) {
			return EdgeErrors.send(response, HttpResponseStatus.BAD_REQUEST, "Missing Host header", ray);
		}
		if (!VisitorRequestHead.hostsAgree(request.requestHeaders())) {
			// An HTTP/2 stream whose host header names another authority than its :authority (an
			// HTTP/1.1 request was checked by Http1Forwarder): this stream is refused, not the connection.
			return EdgeErrors.send(response, HttpResponseStatus.BAD_REQUEST, "Invalid or conflicting Host and :authority",
					ray);
		}
		long declaredLength = RequestBodies.declaredLength(request.requestHeaders());
		if (declaredLength > this.maxRequestBody) {
			return EdgeErrors.send(response, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
					"Request body too large: the limit is " + this.maxRequestBody + " bytes", ray)
				.then(Mono.fromRunnable(() -> response.withConnection((connection) -> {
					// The unread body would be taken for the next request: the connection ends here.
					if (!(connection.channel() instanceof Http2StreamChannel)) {
						connection.channel().close();
					}
				})));
		}
		TunnelConnection connection = this.routes.select(hostname);
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
			.limits(this.maxRequestBody, this.idleTimeout)
			.windowsWithin(this.windows)
			.orElsewhere((peers != null) ? () -> peers.forward(request, response, host.trim(), hostname, ray) : null)
			.forward();
	}

}
