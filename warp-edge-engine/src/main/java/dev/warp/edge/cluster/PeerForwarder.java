package dev.warp.edge.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.LocalTunnels;
import dev.warp.edge.exchange.Upstream;
import dev.warp.edge.routing.EdgeRouteTable;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Sends visitors' requests for hostnames this node has no tunnel for to the node of the cluster
 * that has: looks the hostname up in the {@link PeerDirectory}, then forwards over HTTP/2 to that
 * node's peer listener ({@link PeerExchange}). Requests to one node share its connections.
 */
public final class PeerForwarder {

	private static final Logger logger = LoggerFactory.getLogger(PeerForwarder.class);

	/** Time to connect to another node, TLS handshake excluded. */
	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

	private final PeerDirectory directory;

	private final ConnectionProvider connections;

	private final HttpClient client;

	private final Duration responseTimeout;

	private final AtomicInteger next = new AtomicInteger();

	private volatile boolean directoryFailing;

	private final PeerConnections peerConnections;

	private PeerForwarder(PeerDirectory directory, ConnectionProvider connections, HttpClient client,
			Duration responseTimeout, PeerConnections peerConnections) {
		this.directory = directory;
		this.peerConnections = peerConnections;
		this.connections = connections;
		this.client = client;
		this.responseTimeout = responseTimeout;
	}

	/**
	 * @param directory where other nodes' routes are looked up
	 * @param tls the cluster's edge-to-edge TLS
	 * @param responseTimeout how long the node that holds the tunnel waits for the agent's
	 * response headers
	 * @param loops the event loops to run on
	 */
	public static PeerForwarder create(PeerDirectory directory, PeerTls tls, Duration responseTimeout,
			LoopResources loops) {
		ConnectionProvider connections = ConnectionProvider.builder("warp-peers")
			.maxConnections(64)
			.pendingAcquireMaxCount(-1)
			.build();
		HttpClient client = HttpClient.create(connections)
			.protocol(HttpProtocol.H2)
			.secure((spec) -> spec.sslContext(tls.client()))
			// Responses with header lists as large as the tunnel takes from an agent, their bodies in
			// frames as large as it takes too.
			.http2Settings((settings) -> settings.initialWindowSize(PeerListener.STREAM_WINDOW)
				.maxFrameSize(PeerListener.MAX_FRAME_SIZE)
				.maxHeaderListSize(PeerListener.MAX_HEADER_LIST_SIZE))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
			// As on the peer listener: the pooled allocator for the socket reads of fast bodies.
			.option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
			.doOnConnected((connection) -> PeerConnectionWindow.enlarge(connection.channel()))
			.runOn(loops);
		return new PeerForwarder(directory, connections, client, responseTimeout, new PeerConnections(tls, loops));
	}

	/**
	 * Forwards a visitor's request to a node that has a tunnel connection for its hostname, or
	 * answers {@code 503} when none has.
	 */
	public Mono<Void> forward(HttpServerRequest request, HttpServerResponse response, String host, String hostname,
			String ray) {
		return this.directory.peers(hostname).doOnNext((peers) -> directoryAnswered()).onErrorResume((ex) -> {
			directoryFailed(ex);
			return Mono.just(List.of());
		}).flatMap((peers) -> {
			if (peers.isEmpty()) {
				return EdgeErrors.send(response, HttpResponseStatus.SERVICE_UNAVAILABLE,
						"No healthy tunnel for hostname " + hostname, ray);
			}
			return new PeerExchange(this.client, this.directory, request, response, host, hostname, ray,
					this.responseTimeout).forward(rotated(peers));
		});
	}

	/**
	 * Where the public listener's requests go: this node's tunnel connections, else the nodes
	 * that have one for the hostname, over this node's connections to them.
	 */
	public Upstream upstream(EdgeRouteTable routes) {
		return new PeerUpstream(new LocalTunnels(routes), this);
	}

	/** The other nodes that hold a tunnel for a hostname, as one connection for a request's stream. */
	PeerRoute route(String hostname) {
		return new PeerRoute(this, hostname);
	}

	PeerDirectory directory() {
		return this.directory;
	}

	PeerConnections connections() {
		return this.peerConnections;
	}

	/** Closes the connections to other nodes, waiting at most {@code timeout}. */
	public void close(Duration timeout) {
		try {
			this.connections.disposeLater().block(timeout);
		}
		finally {
			this.peerConnections.close(timeout);
		}
	}

	/** The peers, starting at the next one in turn: requests spread over every node of the hostname. */
	List<Peer> rotated(List<Peer> peers) {
		if (peers.size() <= 1) {
			return peers;
		}
		int start = Math.floorMod(this.next.getAndIncrement(), peers.size());
		List<Peer> rotated = new ArrayList<>(peers.size());
		for (int i = 0; i < peers.size(); i++) {
			rotated.add(peers.get((start + i) % peers.size()));
		}
		return rotated;
	}

	void directoryFailed(Throwable ex) {
		if (!this.directoryFailing) {
			this.directoryFailing = true;
			logger.warn("The cluster's route table in Redis cannot be read ({}); hostnames without a tunnel on this "
					+ "node get 503 until it can", ex.getMessage());
		}
	}

	void directoryAnswered() {
		if (this.directoryFailing) {
			this.directoryFailing = false;
			logger.info("The cluster's route table in Redis answers again");
		}
	}

}
