package dev.warp.edge;

import java.net.InetSocketAddress;
import java.time.Duration;

import dev.warp.edge.cluster.EdgeCluster;
import dev.warp.edge.cluster.PeerForwarder;
import dev.warp.edge.cluster.PeerListener;
import dev.warp.edge.pki.EdgeCredentials;
import dev.warp.edge.routing.EdgeRouteTable;
import reactor.netty.resources.LoopResources;

/**
 * What a node of a cluster runs besides what every node runs: its membership (leases in the
 * shared route table), the peer listener other nodes forward to, and the forwarder that sends
 * them what this node has no tunnel for.
 */
final class ClusterParts {

	private final EdgeCluster membership;

	private final PeerListener peerListener;

	private final PeerForwarder forwarder;

	private ClusterParts(EdgeCluster membership, PeerListener peerListener, PeerForwarder forwarder) {
		this.membership = membership;
		this.peerListener = peerListener;
		this.forwarder = forwarder;
	}

	/**
	 * Connects to the cluster's Redis, binds the peer listener and writes the node's lease naming
	 * it; nothing stays open when a step fails.
	 */
	static ClusterParts start(EdgeSettings settings, EdgeCredentials credentials, EdgeRouteTable routes,
			LoopResources loops, Duration closeTimeout) {
		EdgeCluster membership = EdgeCluster.connect(settings, credentials, routes);
		PeerListener peerListener = null;
		try {
			peerListener = PeerListener.bind(settings.nodeId(), settings.bindAddress(), settings.clusterPeerPort(), routes,
					settings.responseTimeout(), settings.maxRequestBody(), settings.idleTimeout(), membership.tls(), loops);
			membership.join(peerListener.address().getPort());
			PeerForwarder forwarder = PeerForwarder.create(membership.directory(), membership.tls(), loops);
			return new ClusterParts(membership, peerListener, forwarder);
		}
		catch (RuntimeException ex) {
			if (peerListener != null) {
				peerListener.close(closeTimeout);
			}
			membership.close();
			throw ex;
		}
	}

	/** Keeps both route tables in step: the tunnel listener's listener. */
	EdgeCluster membership() {
		return this.membership;
	}

	PeerForwarder forwarder() {
		return this.forwarder;
	}

	InetSocketAddress peerAddress() {
		return this.peerListener.address();
	}

	/**
	 * Leaves the cluster first, so that other nodes stop sending requests here, then closes the
	 * peer listener and the connections to other nodes.
	 */
	void close(Duration timeout) {
		try {
			this.membership.close();
		}
		finally {
			try {
				this.peerListener.close(timeout);
			}
			finally {
				this.forwarder.close(timeout);
			}
		}
	}

}
