package dev.warp.edge.cluster;

import java.net.InetSocketAddress;
import java.time.Duration;

import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.visitor.PublicListener;
import dev.warp.edge.listener.OpenConnections;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The listener other edge nodes of the cluster forward visitors' requests to, for the tunnel
 * connections of this node: HTTP/2 over TLS 1.3, with a node certificate of the cluster's CA
 * required of every client ({@link PeerTls}). It serves requests from this node's own tunnel
 * connections only and never forwards one again, so no request can loop between nodes.
 */
public final class PeerListener {

	/** Per-stream receive window: how far a peer's request or response body may run ahead. */
	static final int STREAM_WINDOW = 1024 * 1024;

	/**
	 * Largest DATA frame the node that holds the tunnel may send back, advertised in SETTINGS by
	 * the forwarding node ({@link PeerForwarder}): as on the tunnel, a response body's 64 KiB
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

	private final DisposableServer server;

	private final OpenConnections open;

	private PeerListener(DisposableServer server, OpenConnections open) {
		this.server = server;
		this.open = open;
	}

	/**
	 * Binds the peer listener.
	 * @param nodeId the node's id, part of the ray id of a request that arrives without one
	 * @param bindAddress the address to bind
	 * @param port the port, {@code 0} for a free one
	 * @param routes this node's route table, the only one it serves from
	 * @param responseTimeout how long to wait for an agent's response headers
	 * @param tls the cluster's edge-to-edge TLS
	 * @param loops the event loops to run on
	 */
	public static PeerListener bind(String nodeId, String bindAddress, int port, EdgeRouteTable routes,
			Duration responseTimeout, PeerTls tls, LoopResources loops) {
		return bind(nodeId, bindAddress, port, routes, responseTimeout, Long.MAX_VALUE, null, tls, loops);
	}

	/**
	 * Binds the peer listener, whose requests get the same body limit and idle timeout as the
	 * node's own visitors'.
	 * @param maxRequestBody the largest request body forwarded to an agent, in bytes
	 * @param idleTimeout how long a stream may pass no byte once its response started, or
	 * {@code null} for no limit
	 * @see #bind(String, String, int, EdgeRouteTable, Duration, PeerTls, LoopResources)
	 */
	public static PeerListener bind(String nodeId, String bindAddress, int port, EdgeRouteTable routes,
			Duration responseTimeout, long maxRequestBody, @Nullable Duration idleTimeout, PeerTls tls,
			LoopResources loops) {
		PeerHandshakeFailures handshakeFailures = new PeerHandshakeFailures();
		OpenConnections open = new OpenConnections("warp-peers");
		DisposableServer server = HttpServer.create()
			.host(bindAddress)
			.port(port)
			.protocol(HttpProtocol.H2)
			.secure((spec) -> spec.sslContext(tls.server()))
			// Headers as large as a visitor may send, plus what the first node added.
			.http2Settings((settings) -> settings.initialWindowSize(STREAM_WINDOW)
				.maxHeaderListSize(MAX_HEADER_LIST_SIZE)
				.maxConcurrentStreams(MAX_CONCURRENT_STREAMS))
			.doOnChannelInit((observer, channel, remote) -> {
				open.add(channel);
				channel.pipeline().addLast("warp.peerHandshakeFailures", handshakeFailures);
			})
			.doOnConnection((connection) -> PeerConnectionWindow.enlarge(connection.channel()))
			// Netty's pooled allocator, as on the public and tunnel listeners: a fast body's socket
			// reads outgrow the default adaptive allocator's pooled sizes.
			.childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
			.runOn(loops)
			.handle(new PeerIngress(nodeId, routes, responseTimeout, maxRequestBody, idleTimeout))
			.bindNow();
		return new PeerListener(server, open);
	}

	public InetSocketAddress address() {
		return (InetSocketAddress) this.server.address();
	}

	/** Stops accepting and closes every peer connection, waiting at most {@code timeout}. */
	public void close(Duration timeout) {
		this.open.close(timeout, this.server);
	}

}
