package dev.warp.edge.api;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.warp.edge.acme.AcmeCertificates;
import dev.warp.edge.cluster.EdgeCluster;
import dev.warp.edge.metrics.EdgeMetrics;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.listener.OpenConnections;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The edge's own API: {@code GET /status} lists every hostname with its replicas and tunnel
 * connections and their health, as JSON; {@code GET /} (and {@code /dashboard}) is a page for
 * people that shows the same, refreshed live; {@code GET /metrics} serves the node's metrics in
 * Prometheus' text format.
 */
public final class ApiListener {

	/** Content type of Prometheus' text exposition format. */
	static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

	private final DisposableServer server;

	private final OpenConnections open;

	private ApiListener(DisposableServer server, OpenConnections open) {
		this.server = server;
		this.open = open;
	}

	/**
	 * Binds the API listener, without metrics.
	 * @param nodeId the node's id
	 * @param bindAddress the address to bind
	 * @param port the port, {@code 0} for a free one
	 * @param routes what the status shows
	 * @param loops the event loops to run on
	 */
	public static ApiListener bind(String nodeId, String bindAddress, int port, EdgeRouteTable routes,
			LoopResources loops) {
		return bind(nodeId, bindAddress, port, routes, null, loops);
	}

	/**
	 * Binds the API listener.
	 * @param nodeId the node's id
	 * @param bindAddress the address to bind
	 * @param port the port, {@code 0} for a free one
	 * @param routes what the status shows
	 * @param metrics what {@code /metrics} serves, or {@code null} for no metrics
	 * @param loops the event loops to run on
	 */
	public static ApiListener bind(String nodeId, String bindAddress, int port, EdgeRouteTable routes,
			@Nullable EdgeMetrics metrics, LoopResources loops) {
		return bind(nodeId, bindAddress, port, routes, metrics, null, null, loops);
	}

	/**
	 * Binds the API listener, whose status shows the node's ACME certificates and its cluster too.
	 * @param acme the ACME certificates' state, or {@code null} for a node without an ACME CA
	 * @param cluster the node's cluster, or {@code null} for a node alone
	 * @see #bind(String, String, int, EdgeRouteTable, EdgeMetrics, LoopResources)
	 */
	public static ApiListener bind(String nodeId, String bindAddress, int port, EdgeRouteTable routes,
			@Nullable EdgeMetrics metrics, @Nullable Supplier<List<AcmeCertificates.Status>> acme,
			@Nullable EdgeCluster cluster, LoopResources loops) {
		OpenConnections open = new OpenConnections("warp-api");
		DashboardPage dashboard = DashboardPage.load();
		DisposableServer server = HttpServer.create()
			.host(bindAddress)
			.port(port)
			.runOn(loops)
			.doOnChannelInit((observer, channel, address) -> open.add(channel))
			.route((api) -> api.get("/", (request, response) -> dashboard.serve(response))
				.get("/dashboard", (request, response) -> dashboard.serve(response))
				.get("/status",
						(request, response) -> response.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
							.header(HttpHeaderNames.CACHE_CONTROL, "no-store")
							.sendString(status(nodeId, routes, acme, cluster)))
				.get("/metrics", (request, response) -> {
					String scrape = (metrics != null) ? metrics.scrape() : null;
					if (scrape == null) {
						return response.status(HttpResponseStatus.NOT_FOUND)
							.sendString(Mono.just("This edge node has no Prometheus meter registry\n"));
					}
					return response.header(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT)
						.header(HttpHeaderNames.CACHE_CONTROL, "no-store")
						.sendString(Mono.just(scrape));
				}))
			.bindNow();
		return new ApiListener(server, open);
	}

	/** The status document; in a cluster, once Redis listed the nodes or failed to. */
	private static Mono<String> status(String nodeId, EdgeRouteTable routes,
			@Nullable Supplier<List<AcmeCertificates.Status>> acme, @Nullable EdgeCluster cluster) {
		Mono<Optional<StatusJson.Cluster>> shared = (cluster == null) ? Mono.just(Optional.empty())
				: cluster.nodes()
					.map((nodes) -> new StatusJson.Cluster(cluster.redisServer(), nodes, null))
					.onErrorResume((ex) -> Mono.just(new StatusJson.Cluster(cluster.redisServer(), null, ex.toString())))
					.map(Optional::of);
		return shared.map((view) -> StatusJson.write(nodeId, routes.snapshot(), (acme != null) ? acme.get() : null,
				view.orElse(null), Instant.now()));
	}

	public InetSocketAddress address() {
		return (InetSocketAddress) this.server.address();
	}

	/** Stops the listener and closes its connections, waiting at most {@code timeout}. */
	public void close(Duration timeout) {
		this.open.close(timeout, this.server);
	}

}
