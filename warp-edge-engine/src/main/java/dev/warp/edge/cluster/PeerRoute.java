package dev.warp.edge.cluster;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLException;

import dev.warp.edge.exchange.NoTunnelException;
import dev.warp.edge.log.RepeatedWarning;
import dev.warp.edge.tunnel.OriginFailure;
import dev.warp.edge.tunnel.StreamConnection;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The other nodes that hold a tunnel for one request's hostname, as one connection to open its
 * stream on: the nodes the {@link PeerDirectory} names, tried in turn from the next one in the
 * rotation, a node that cannot be connected to skipped for the next (nothing was sent to it).
 * The node that takes the stream keeps the forwarding headers this node computed.
 */
final class PeerRoute implements StreamConnection {

	private static final Logger logger = LoggerFactory.getLogger(PeerRoute.class);

	/** A node whose TLS fails, fails every request sent to it: one line a minute, not one per request. */
	private static final RepeatedWarning untrustedPeers = new RepeatedWarning(logger,
			"request(s) failed because TLS with another edge node failed; do both nodes have the same ca.pem and "
					+ "ca-key.pem in their data directories?");

	/**
	 * How much longer than its own response timeout this node waits for the response of the node
	 * it forwarded to: that node times the agent out itself and answers {@code 504} with its
	 * reason, which should reach the visitor rather than both nodes giving up together.
	 */
	static final Duration RESPONSE_MARGIN = Duration.ofSeconds(1);

	private final PeerForwarder forwarder;

	private final String hostname;

	private volatile @Nullable Peer peer;

	PeerRoute(PeerForwarder forwarder, String hostname) {
		this.forwarder = forwarder;
		this.hostname = hostname;
	}

	@Override
	public String id() {
		return "edge node " + this.peer;
	}

	/** Opens asynchronously on any thread: no loop of its own to wake. */
	@Override
	public boolean isOnCurrentEventLoop() {
		return true;
	}

	@Override
	public void wakeUp() {
	}

	@Override
	public Future<Http2StreamChannel> openStream(ChannelHandler handler, boolean wakeUp) {
		Promise<Http2StreamChannel> opened = ImmediateEventExecutor.INSTANCE.newPromise();
		List<Peer> known = this.forwarder.directory().known(this.hostname);
		if (known != null) {
			tryPeers(this.forwarder.rotated(known), 0, handler, opened);
		}
		else {
			this.forwarder.directory().peers(this.hostname).subscribe((peers) -> {
				this.forwarder.directoryAnswered();
				tryPeers(this.forwarder.rotated(peers), 0, handler, opened);
			}, (ex) -> {
				this.forwarder.directoryFailed(ex);
				tryPeers(List.of(), 0, handler, opened);
			});
		}
		return opened;
	}

	private void tryPeers(List<Peer> peers, int index, ChannelHandler handler, Promise<Http2StreamChannel> opened) {
		if (peers.isEmpty()) {
			opened.tryFailure(new NoTunnelException("No healthy tunnel for hostname " + this.hostname));
			return;
		}
		Peer peer = peers.get(index);
		this.peer = peer;
		this.forwarder.connections().openStream(peer, handler).addListener((Future<Http2StreamChannel> stream) -> {
			if (stream.isSuccess()) {
				opened.trySuccess(stream.getNow());
				return;
			}
			Throwable cause = stream.cause();
			this.forwarder.directory().forget(this.hostname);
			if (isUntrusted(cause)) {
				untrustedPeers.occurred("request for " + this.hostname + " to edge node " + peer + " (" + cause.getMessage()
						+ ")");
			}
			if (isUnreachable(cause) && index + 1 < peers.size()) {
				logger.debug("Edge node {} cannot be reached ({}); trying edge node {}", peer, cause.getMessage(),
						peers.get(index + 1));
				tryPeers(peers, index + 1, handler, opened);
				return;
			}
			opened.tryFailure(OriginFailure.unprocessed(isUnreachable(cause)
					? "edge node " + peer.nodeId() + ", which holds its tunnel, cannot be reached"
					: "edge node " + peer.nodeId() + " failed the request (" + cause.getMessage() + ")", cause));
		});
	}

	/** Whether a peer node could not be reached at all (not connected, or not trusted): nothing was sent to it. */
	static boolean isUnreachable(Throwable ex) {
		return ex instanceof ConnectException || ex instanceof ConnectTimeoutException || isUntrusted(ex);
	}

	/** Whether the TLS handshake with a peer node failed. */
	static boolean isUntrusted(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof SSLException) {
				return true;
			}
		}
		return false;
	}

}
