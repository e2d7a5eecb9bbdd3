package dev.warp.edge.api;

import java.net.InetSocketAddress;
import java.time.Duration;

import dev.warp.edge.routing.EdgeRouteTable;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The edge's own API: {@code GET /status} lists every hostname and its tunnel connections.
 */
public final class ApiListener {

	private final DisposableServer server;

	private ApiListener(DisposableServer server) {
		this.server = server;
	}

	/**
	 * Binds the API listener.
	 * @param nodeId the node's id
	 * @param bindAddress the address to bind
	 * @param port the port, {@code 0} for a free one
	 * @param routes what the status shows
	 * @param loops the event loops to run on
	 */
	public static ApiListener bind(String nodeId, String bindAddress, int port, EdgeRouteTable routes,
			LoopResources loops) {
		DisposableServer server = HttpServer.create()
			.host(bindAddress)
			.port(port)
			.runOn(loops)
			.route((api) -> api.get("/status",
					(request, response) -> response.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
						.header(HttpHeaderNames.CACHE_CONTROL, "no-store")
						.sendString(Mono.fromSupplier(() -> StatusJson.write(nodeId, routes.snapshot())))))
			.bindNow();
		return new ApiListener(server);
	}

	public InetSocketAddress address() {
		return (InetSocketAddress) this.server.address();
	}

	/** Stops the listener, waiting at most {@code timeout}. */
	public void close(Duration timeout) {
		this.server.disposeNow(timeout);
	}

}
