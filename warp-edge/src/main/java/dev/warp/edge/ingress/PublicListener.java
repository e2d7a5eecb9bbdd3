package dev.warp.edge.ingress;

import java.net.InetSocketAddress;
import java.time.Duration;

import dev.warp.edge.metrics.EdgeMetrics;
import dev.warp.edge.routing.EdgeRouteTable;
import org.jspecify.annotations.Nullable;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The listener visitors reach: HTTP/1.1 and h2c (prior knowledge), every request forwarded down
 * a tunnel connection of its hostname.
 */
public final class PublicListener {

	private final DisposableServer server;

	private PublicListener(DisposableServer server) {
		this.server = server;
	}

	/**
	 * Binds the public listener.
	 * @param nodeId the node's id, part of every ray id
	 * @param bindAddress the address to bind
	 * @param port the port, {@code 0} for a free one
	 * @param routes where requests go
	 * @param responseTimeout how long to wait for an agent's response headers
	 * @param loops the event loops to run on
	 */
	public static PublicListener bind(String nodeId, String bindAddress, int port, EdgeRouteTable routes,
			Duration responseTimeout, LoopResources loops) {
		return bind(nodeId, bindAddress, port, routes, responseTimeout, null, loops);
	}

	/**
	 * Binds the public listener of a node that may be part of a cluster.
	 * @param peers forwards requests for hostnames this node has no tunnel for to the nodes that
	 * have; {@code null} for a node that stands alone
	 * @see #bind(String, String, int, EdgeRouteTable, Duration, LoopResources)
	 */
	public static PublicListener bind(String nodeId, String bindAddress, int port, EdgeRouteTable routes,
			Duration responseTimeout, @Nullable PeerForwarder peers, LoopResources loops) {
		return bind(nodeId, bindAddress, port, routes, responseTimeout, peers, null, loops);
	}

	/**
	 * Binds the public listener of a node that may be part of a cluster, and measures its requests.
	 * @param peers forwards requests for hostnames this node has no tunnel for to the nodes that
	 * have; {@code null} for a node that stands alone
	 * @param metrics times every request, or {@code null}
	 * @see #bind(String, String, int, EdgeRouteTable, Duration, LoopResources)
	 */
	public static PublicListener bind(String nodeId, String bindAddress, int port, EdgeRouteTable routes,
			Duration responseTimeout, @Nullable PeerForwarder peers, @Nullable EdgeMetrics metrics,
			LoopResources loops) {
		TunnelProxy proxy = new TunnelProxy(nodeId, routes, responseTimeout, peers);
		DisposableServer server = HttpServer.create()
			.host(bindAddress)
			.port(port)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			// HTTP/2 visitors open WebSockets with RFC 8441 extended CONNECT.
			.http2Settings((settings) -> settings.connectProtocolEnabled(true))
			.runOn(loops)
			.handle((metrics != null) ? metrics.instrument(proxy) : proxy)
			.bindNow();
		return new PublicListener(server);
	}

	public InetSocketAddress address() {
		return (InetSocketAddress) this.server.address();
	}

	/** Stops accepting and closes every visitor connection, waiting at most {@code timeout}. */
	public void close(Duration timeout) {
		this.server.disposeNow(timeout);
	}

}
