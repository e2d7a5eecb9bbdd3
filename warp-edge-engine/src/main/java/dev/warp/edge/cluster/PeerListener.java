package dev.warp.edge.cluster;

import java.net.InetSocketAddress;
import java.time.Duration;

import javax.net.ssl.SSLException;

import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.listener.ListenerSocket;
import dev.warp.edge.listener.OpenConnections;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.visitor.Http2Forwarder;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;
import reactor.netty.resources.LoopResources;

/**
 * The listener other edge nodes of the cluster forward visitors' requests to, for the tunnel
 * connections of this node: HTTP/2 over TLS 1.3 (ALPN {@code h2} only), with a node certificate
 * of the cluster's CA required of every client ({@link PeerTls}). Each stream is one request,
 * taken by an {@link Http2Forwarder} for a peer: it keeps the
 * forwarding headers and ray id the other node gave it, and goes to this node's own tunnel
 * connections only ({@link LocalTunnelsOnly}), never to another node, so no request can loop.
 */
public final class PeerListener {

	/** Per-stream receive window: how far a peer's request or response body may run ahead. */
	static final int STREAM_WINDOW = 1024 * 1024;

	/**
	 * Largest DATA frame the node that holds the tunnel may send back, advertised in SETTINGS by
	 * the forwarding node ({@link PeerConnections}): as on the tunnel, a response body's 64 KiB
	 * buffers cross as one frame each instead of four of the protocol's default 16 KiB. Request
	 * bodies keep the default, as uploads do on the tunnel: larger frames measured no better.
	 */
	static final int MAX_FRAME_SIZE = 64 * 1024;

	/**
	 * Streams a peer may have open on one connection: room beyond the hundred after which it opens
	 * another ({@link PeerConnections}), for a burst that finds every connection busy.
	 */
	static final int MAX_CONCURRENT_STREAMS = 1000;

	/** Largest request header list a peer may send: a visitor's largest header section and the forwarding headers. */
	static final long MAX_HEADER_LIST_SIZE = 128 * 1024;

	private final Channel server;

	private final OpenConnections open;

	private PeerListener(Channel server, OpenConnections open) {
		this.server = server;
		this.open = open;
	}

	/**
	 * Binds the peer listener, whose requests get the same limits and timeouts as the node's own
	 * visitors'.
	 * @param nodeId the node's id, part of the ray id of a request that arrives without one
	 * @param bindAddress the address to bind
	 * @param port the port, {@code 0} for a free one
	 * @param routes this node's route table, the only one it serves from
	 * @param responseTimeout how long to wait for an agent's response headers
	 * @param maxRequestBody the largest request body forwarded to an agent, in bytes
	 * @param idleTimeout how long a stream may pass no byte once its response started, or
	 * {@code null} for no limit
	 * @param tls the cluster's edge-to-edge TLS
	 * @param loops the event loops to run on
	 */
	public static PeerListener bind(String nodeId, String bindAddress, int port, EdgeRouteTable routes,
			Duration responseTimeout, long maxRequestBody, @Nullable Duration idleTimeout, PeerTls tls,
			LoopResources loops) {
		SslContext context;
		try {
			context = tls.server().sslContext();
		}
		catch (SSLException ex) {
			throw new IllegalStateException("Cannot set up TLS for other edge nodes: " + ex.getMessage(), ex);
		}
		// No metrics: the forwarding node counts the request for its visitor. No window budget of
		// its own: the forwarding node bounds each of its visitors' windows.
		ExchangeSettings settings = new ExchangeSettings(nodeId, "http", new LocalTunnelsOnly(routes, nodeId),
				responseTimeout, idleTimeout, maxRequestBody, null, null, null);
		PeerHandshakeFailures handshakeFailures = new PeerHandshakeFailures();
		OpenConnections open = new OpenConnections("warp-peers");
		Channel server = ListenerSocket.bind("peer listener", bindAddress, port, loops,
				loops.onServer(true), (channel) -> {
					open.add(channel);
					SslHandler handshake = context.newHandler(channel.alloc());
					channel.pipeline().addLast("tls", handshake).addLast(PeerHandshakeFailures.NAME, handshakeFailures);
					handshake.handshakeFuture().addListener((shaken) -> {
						if (shaken.isSuccess()) {
							serveHttp2(channel, handshake, settings);
						}
					});
				});
		return new PeerListener(server, open);
	}

	/**
	 * Installs HTTP/2 once TLS chose {@code h2} (the codec writes its preface as soon as it is
	 * added); a client that chose nothing else is closed.
	 */
	private static void serveHttp2(Channel channel, SslHandler tls, ExchangeSettings settings) {
		if (!ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
			channel.close();
			return;
		}
		Http2Settings http2 = Http2Settings.defaultSettings()
			.initialWindowSize(STREAM_WINDOW)
			// Headers as large as a visitor may send, plus what the first node added.
			.maxHeaderListSize(MAX_HEADER_LIST_SIZE)
			.maxConcurrentStreams(MAX_CONCURRENT_STREAMS);
		channel.pipeline()
			.addBefore(PeerHandshakeFailures.NAME, "h2", Http2FrameCodecBuilder.forServer()
				.initialSettings(http2)
				// The forwarding node resets a stream for each of its visitors who goes away, and this
				// node one for each response an agent breaks: however many do, that is no attack of an
				// authenticated node and must not close a connection that carries many visitors' requests.
				.decoderEnforceMaxRstFramesPerWindow(0, 0)
				.encoderEnforceMaxRstFramesPerWindow(0, 0)
				.build())
			// Answers every stream itself: nothing it passes on is a request.
			.addBefore(PeerHandshakeFailures.NAME, "warp.http2Forwarder", new Http2Forwarder(settings, true));
		PeerConnectionWindow.enlarge(channel);
	}

	public InetSocketAddress address() {
		return (InetSocketAddress) this.server.localAddress();
	}

	/** Stops accepting and closes every peer connection, waiting at most {@code timeout}. */
	public void close(Duration timeout) {
		this.open.close(timeout, this.server);
	}

}
