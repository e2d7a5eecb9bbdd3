package dev.warp.edge.visitor;

import java.net.InetSocketAddress;
import java.time.Duration;

import dev.warp.edge.EdgeSettings;
import dev.warp.edge.cluster.PeerForwarder;
import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.exchange.LocalTunnels;
import dev.warp.edge.listener.ListenerSocket;
import dev.warp.edge.listener.OpenConnections;
import dev.warp.edge.metrics.EdgeMetrics;
import dev.warp.edge.pki.PublicCertificates;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.tunnel.WindowBudget;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import org.jspecify.annotations.Nullable;
import reactor.netty.resources.LoopResources;

/**
 * The listeners visitors reach: HTTP/1.1 and h2c (prior knowledge or upgrade) in cleartext, and
 * optionally HTTP/1.1 and HTTP/2 by ALPN over TLS; every request forwarded down a tunnel
 * connection of its hostname. Netty's codecs and the edge's forwarders only
 * ({@link VisitorPipeline}).
 *
 * <p>Both are hardened alike: the request line and header section are bounded ({@code 414},
 * {@code 431}), a visitor has a bounded time to send a request's headers
 * ({@link RequestHeaderTimeout}), an HTTP/2 visitor a bounded number of concurrent streams, and
 * one that resets streams faster than {@value VisitorPipeline#MAX_RESETS} per
 * {@value VisitorPipeline#RESET_WINDOW_SECONDS} seconds (HTTP/2 rapid reset, CVE-2023-44487) gets
 * GOAWAY and loses its connection.
 */
public final class PublicListener {

	/** Visitor connections closed as soon as accepted, tagged by the reason. */
	static final String REFUSED = "warp.edge.public.connections.refused";

	private final Channel server;

	private final @Nullable Channel tlsServer;

	/** Held here as long as the listener: its meters read it through weak references. */
	private final VisitorConnectionLimit connections;

	/**
	 * Every connection accepted and still open, closed with the listener: an idle keep-alive
	 * connection is not closed by stopping the server, and outlived the edge's event loops with
	 * its socket open, where a client that reused it waited forever.
	 */
	private final OpenConnections open;

	private PublicListener(Channel server, @Nullable Channel tlsServer,
			VisitorConnectionLimit connections, OpenConnections open) {
		this.server = server;
		this.tlsServer = tlsServer;
		this.connections = connections;
		this.open = open;
	}

	/**
	 * Binds the public listener, and the TLS one when {@code certificate} is given.
	 * @param settings the node's settings: addresses, ports, limits and timeouts
	 * @param routes where requests go
	 * @param peers forwards requests for hostnames this node has no tunnel for to the nodes that
	 * have; {@code null} for a node that stands alone
	 * @param metrics times every request, or {@code null}
	 * @param certificate the TLS listener's certificates, or {@code null} for none
	 * @param loops the event loops to run on
	 */
	public static PublicListener bind(EdgeSettings settings, EdgeRouteTable routes, @Nullable PeerForwarder peers,
			@Nullable EdgeMetrics metrics, @Nullable PublicCertificates certificate, LoopResources loops) {
		WindowBudget windows = WindowBudget.total();
		VisitorConnectionLimit connections = new VisitorConnectionLimit(settings.maxConnections(),
				settings.maxConnectionsPerAddress());
		AbusiveClients abusiveClients = new AbusiveClients(settings.abusePenalty(), settings.maxAbusePenalty());
		if (metrics != null) {
			register(metrics, connections, abusiveClients);
		}
		ExchangeSettings forwarding = new ExchangeSettings(settings.nodeId(), "http",
				(peers != null) ? peers.upstream(routes) : new LocalTunnels(routes), settings.responseTimeout(),
				settings.idleTimeout(), settings.maxRequestBody(), metrics, windows, settings.webSocketPingInterval());
		VisitorPipeline pipeline = new VisitorPipeline(settings, forwarding, abusiveClients,
				VisitorErrors.Reports.of("public listener"), certificate);
		OpenConnections open = new OpenConnections("warp-visitors");
		EventLoopGroup workers = loops.onServer(true);
		Channel server = ListenerSocket.bind("public listener",
				settings.bindAddress(), settings.publicPort(), loops, workers, (channel) -> {
					if (admit(channel, open, abusiveClients, connections)) {
						pipeline.cleartext(channel);
					}
				});
		EdgeSettings.PublicTls tls = settings.publicTls();
		if (tls == null || certificate == null) {
			return new PublicListener(server, null, connections, open);
		}
		try {
			Channel tlsServer = ListenerSocket.bind("public TLS listener",
					settings.bindAddress(), tls.port(), loops, workers, (channel) -> {
						if (admit(channel, open, abusiveClients, connections)) {
							pipeline.tls(channel);
						}
					});
			return new PublicListener(server, tlsServer, connections, open);
		}
		catch (RuntimeException ex) {
			server.close().awaitUninterruptibly();
			throw ex;
		}
	}

	/** Whether an accepted connection is served: its address is not penalised and the limits admit it. */
	private static boolean admit(SocketChannel channel, OpenConnections open, AbusiveClients abusiveClients,
			VisitorConnectionLimit connections) {
		open.add(channel);
		return !abusiveClients.refuses(channel) && connections.admit(channel);
	}

	private static void register(EdgeMetrics metrics, VisitorConnectionLimit connections, AbusiveClients abusiveClients) {
		metrics.connections("warp.edge.public.connections", "Visitor connections open on the public listeners of this edge node",
				connections, VisitorConnectionLimit::open);
		metrics.refusedConnections(REFUSED, "max-connections",
				"Visitor connections closed as soon as accepted: edge.public.max-connections were open", connections,
				VisitorConnectionLimit::refusedOverTotal);
		metrics.refusedConnections(REFUSED, "max-connections-per-address",
				"Visitor connections closed as soon as accepted: edge.public.max-connections-per-address were open "
						+ "from their address",
				connections, VisitorConnectionLimit::refusedOverAddress);
		metrics.refusedConnections(REFUSED, "abuse-penalty",
				"Visitor connections closed as soon as accepted: their address abused the edge recently", abusiveClients,
				AbusiveClients::refused);
	}

	public InetSocketAddress address() {
		return (InetSocketAddress) this.server.localAddress();
	}

	/** The TLS listener's address, or {@code null} when there is none. */
	public @Nullable InetSocketAddress tlsAddress() {
		return (this.tlsServer != null) ? (InetSocketAddress) this.tlsServer.localAddress() : null;
	}

	/** Stops accepting and closes every visitor connection, waiting at most {@code timeout}. */
	public void close(Duration timeout) {
		this.open.close(timeout, this.tlsServer, this.server);
	}

}
