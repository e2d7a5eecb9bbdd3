package dev.warp.edge.cluster;

import javax.net.ssl.SSLException;

import dev.warp.edge.log.RepeatedWarning;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a peer listener connection's pipeline: a client refused during the TLS handshake
 * (no certificate, not a node certificate, another CA) is reported in one line that names the
 * reason, at most once a minute with a count (anyone who reaches the port can fail a handshake at
 * will), and its connection closed; a connection that fails otherwise (a reset, an I/O error) is
 * closed with a DEBUG line. One per listener.
 */
@ChannelHandler.Sharable
public final class PeerHandshakeFailures extends ChannelInboundHandlerAdapter {

	static final String NAME = "warp.peerHandshakeFailures";

	private static final Logger logger = LoggerFactory.getLogger(PeerHandshakeFailures.class);

	private final RepeatedWarning refusals = new RepeatedWarning(logger, "client(s) refused by the peer listener "
			+ "(only edge nodes holding a node certificate of this cluster's CA may connect)");

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		SSLException tls = tlsFailure(cause);
		if (tls != null && ctx.channel().isOpen()) {
			this.refusals.occurred(ctx.channel().remoteAddress() + ": " + tls.getMessage());
		}
		else if (tls == null) {
			logger.debug("Peer connection {} failed", ctx.channel(), cause);
		}
		ctx.close();
	}

	private static @Nullable SSLException tlsFailure(Throwable cause) {
		for (Throwable current = cause; current != null; current = current.getCause()) {
			if (current instanceof SSLException tls) {
				return tls;
			}
		}
		return null;
	}

}
