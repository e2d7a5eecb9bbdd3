package dev.warp.edge.visitor;

import java.net.InetSocketAddress;
import java.time.Duration;

import dev.warp.edge.EdgeSettings;
import dev.warp.edge.acme.AcmeClientHello;
import dev.warp.edge.acme.AcmeHttpChallenges;
import dev.warp.edge.acme.AcmeTlsChallenges;
import dev.warp.edge.cluster.PeerForwarder;
import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.exchange.LocalTunnels;
import dev.warp.edge.metrics.EdgeMetrics;
import dev.warp.edge.pki.PublicCertificates;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.tunnel.WindowBudget;
import dev.warp.edge.listener.OpenConnections;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpServerCodec;
import org.jspecify.annotations.Nullable;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The listeners visitors reach: HTTP/1.1 and h2c (prior knowledge) in cleartext, and optionally
 * HTTP/1.1 and HTTP/2 by ALPN over TLS; every request forwarded down a tunnel connection of its
 * hostname.
 *
 * <p>Both are hardened alike: the request line and header section are bounded ({@code 414},
 * {@code 431}), a visitor has a bounded time to send a request's headers
 * ({@link RequestHeaderTimeout}), an HTTP/2 visitor a bounded number of concurrent streams, and
 * one that resets streams faster than {@value #MAX_RESETS} per {@value #RESET_WINDOW_SECONDS}
 * seconds (HTTP/2 rapid reset, CVE-2023-44487) gets GOAWAY and loses its connection.
 */
public final class PublicListener {

	/** RST_STREAM frames a visitor may send per window before its connection is closed. */
	static final int MAX_RESETS = 200;

	static final int RESET_WINDOW_SECONDS = 30;

	/** Visitor connections closed as soon as accepted, tagged by the reason. */
	static final String REFUSED = "warp.edge.public.connections.refused";

	private final DisposableServer server;

	private final @Nullable DisposableServer tlsServer;

	/** Held here as long as the listener: its meters read it through weak references. */
	private final VisitorConnectionLimit connections;

	/**
	 * Every connection accepted and still open, closed with the listener: an idle keep-alive
	 * connection is not closed by stopping the server, and outlived the edge's event loops with
	 * its socket open, where a client that reused it waited forever.
	 */
	private final OpenConnections open;

	private PublicListener(DisposableServer server, @Nullable DisposableServer tlsServer,
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
		TunnelProxy proxy = new TunnelProxy(settings.nodeId(), routes, settings.responseTimeout(), peers,
				settings.maxRequestBody(), settings.idleTimeout(), windows);
		VisitorConnectionLimit connections = new VisitorConnectionLimit(settings.maxConnections(),
				settings.maxConnectionsPerAddress());
		if (metrics != null) {
			metrics.connections("warp.edge.public.connections",
					"Visitor connections open on the public listeners of this edge node", connections,
					VisitorConnectionLimit::open);
			metrics.refusedConnections(REFUSED, "max-connections",
					"Visitor connections closed as soon as accepted: edge.public.max-connections were open", connections,
					VisitorConnectionLimit::refusedOverTotal);
			metrics.refusedConnections(REFUSED, "max-connections-per-address",
					"Visitor connections closed as soon as accepted: edge.public.max-connections-per-address were open "
							+ "from their address",
					connections, VisitorConnectionLimit::refusedOverAddress);
		}
		AbusiveClients abusiveClients = new AbusiveClients(settings.abusePenalty(), settings.maxAbusePenalty());
		if (metrics != null) {
			metrics.refusedConnections(REFUSED, "abuse-penalty",
					"Visitor connections closed as soon as accepted: their address abused the edge recently", abusiveClients,
					AbusiveClients::refused);
		}
		VisitorErrors.Reports errors = VisitorErrors.Reports.of("public listener");
		ExchangeSettings forwarding = new ExchangeSettings(settings.nodeId(), "http",
				(peers != null) ? peers.upstream(routes) : new LocalTunnels(routes), settings.responseTimeout(),
				settings.idleTimeout(), settings.maxRequestBody(), metrics, windows, settings.webSocketPingInterval());
		OpenConnections open = new OpenConnections("warp-visitors");
		AcmeHttpChallenges acmeHttp = (certificate != null) ? certificate.httpChallenges() : AcmeHttpChallenges.NONE;
		AcmeTlsChallenges acmeTls = (certificate != null) ? certificate.tlsChallenges() : null;
		HttpServer base = HttpServer.create()
			.host(settings.bindAddress())
			.runOn(loops)
			// Netty's pooled allocator, as on the tunnel connections: the socket reads of a fast
			// upload outgrow the default adaptive allocator's pooled sizes and each took a fresh
			// direct buffer from the JDK, zeroed first.
			.childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
			.httpRequestDecoder((decoder) -> decoder.maxHeaderSize(settings.maxHeaderSize())
				.maxInitialLineLength(settings.maxInitialLineLength()))
			// HTTP/2 visitors open WebSockets with RFC 8441 extended CONNECT.
			.http2Settings((http2) -> http2.connectProtocolEnabled(true)
				.maxConcurrentStreams(settings.maxConcurrentStreams())
				.maxHeaderListSize(settings.maxHeaderSize())
				.maxDecodedRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS))
			.doOnChannelInit((observer, channel, address) -> {
				open.add(channel);
				if (abusiveClients.refuses(channel) || !connections.admit(channel)) {
					return;
				}
				channel.pipeline()
					.addFirst(RequestHeaderTimeout.NAME, new RequestHeaderTimeout(settings.headerReadTimeout()))
					.addLast(VisitorErrors.NAME, VisitorErrors.atTheEnd(errors));
				// Right after the codec, so that the h2c upgrade handler only sees what passes on; on
				// TLS the codec comes after ALPN.
				ChannelHandlerContext codec = channel.pipeline().context(HttpServerCodec.class);
				if (codec != null) {
					channel.pipeline()
						.addAfter(codec.name(), Http1Forwarder.NAME, new Http1Forwarder(forwarding, abusiveClients, acmeHttp));
				}
				else if (channel.pipeline().get(NettyPipeline.SslHandler) != null) {
					if (acmeTls != null) {
						channel.pipeline().addBefore(NettyPipeline.SslHandler, AcmeClientHello.NAME, new AcmeClientHello(acmeTls));
					}
					channel.pipeline().addAfter(NettyPipeline.SslHandler, VisitorErrors.TLS_NAME, VisitorErrors.afterTls(errors));
					channel.pipeline().addBefore(NettyPipeline.ReactiveBridge, Http1ForwarderInstaller.NAME,
							new Http1ForwarderInstaller(forwarding.scheme("https"), abusiveClients));
				}
			})
			.handle((metrics != null) ? metrics.instrument(proxy) : proxy);
		DisposableServer server = base.port(settings.publicPort())
			.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
			.bindNow();
		EdgeSettings.PublicTls tls = settings.publicTls();
		if (tls == null || certificate == null) {
			return new PublicListener(server, null, connections, open);
		}
		try {
			DisposableServer tlsServer = base.port(tls.port())
				.protocol(HttpProtocol.HTTP11, HttpProtocol.H2)
				.secure(certificate::configure)
				.bindNow();
			return new PublicListener(server, tlsServer, connections, open);
		}
		catch (RuntimeException ex) {
			server.disposeNow();
			throw ex;
		}
	}

	public InetSocketAddress address() {
		return (InetSocketAddress) this.server.address();
	}

	/** The TLS listener's address, or {@code null} when there is none. */
	public @Nullable InetSocketAddress tlsAddress() {
		return (this.tlsServer != null) ? (InetSocketAddress) this.tlsServer.address() : null;
	}

	/** Stops accepting and closes every visitor connection, waiting at most {@code timeout}. */
	public void close(Duration timeout) {
		this.open.close(timeout, this.tlsServer, this.server);
	}

}
