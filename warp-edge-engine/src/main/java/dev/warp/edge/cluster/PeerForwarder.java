package dev.warp.edge.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.warp.edge.exchange.LocalTunnels;
import dev.warp.edge.exchange.Upstream;
import dev.warp.edge.routing.EdgeRouteTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.resources.LoopResources;

/**
 * Sends visitors' requests for hostnames this node has no tunnel for to the node of the cluster
 * that has: looks the hostname up in the {@link PeerDirectory}, then forwards over HTTP/2 to that
 * node's peer listener ({@link PeerRoute} over {@link PeerConnections}). Requests to one node
 * share its connections.
 */
public final class PeerForwarder {

	private static final Logger logger = LoggerFactory.getLogger(PeerForwarder.class);

	private final PeerDirectory directory;

	private final AtomicInteger next = new AtomicInteger();

	private volatile boolean directoryFailing;

	private final PeerConnections peerConnections;

	private PeerForwarder(PeerDirectory directory, PeerConnections peerConnections) {
		this.directory = directory;
		this.peerConnections = peerConnections;
	}

	/**
	 * @param directory where other nodes' routes are looked up
	 * @param tls the cluster's edge-to-edge TLS
	 * @param loops the event loops to run on
	 */
	public static PeerForwarder create(PeerDirectory directory, PeerTls tls, LoopResources loops) {
		return new PeerForwarder(directory, new PeerConnections(tls, loops));
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
		this.peerConnections.close(timeout);
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
