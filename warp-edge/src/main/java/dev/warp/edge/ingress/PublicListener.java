package dev.warp.edge.ingress;

import java.net.InetSocketAddress;
import java.time.Duration;

import dev.warp.edge.routing.EdgeRouteTable;
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
		DisposableServer server = HttpServer.create()
			.host(bindAddress)
			.port(port)
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.runOn(loops)
			.handle(new TunnelProxy(nodeId, routes, responseTimeout))
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
