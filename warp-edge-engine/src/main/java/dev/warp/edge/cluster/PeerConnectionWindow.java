package dev.warp.edge.cluster;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enlarges the receive window of a whole edge-to-edge HTTP/2 connection. SETTINGS only size the
 * windows of streams; the connection's own stays at 64 KiB unless a WINDOW_UPDATE on stream 0
 * grows it, and then every body in flight between two nodes shares 64 KiB. Reactor Netty has no
 * setting for it, so it is done on the codec, once per connection, when its first stream opens.
 */
public final class PeerConnectionWindow {

	/**
	 * Receive window of one edge-to-edge connection: HTTP/2's largest, so that only each stream's
	 * own window ({@link PeerListener#STREAM_WINDOW}) bounds what one body holds here. A visitor
	 * who reads a forwarded response slowly holds its stream's window until it takes it; with 32
	 * MiB, 32 of them on one connection held all of it, and every other response forwarded on it
	 * (whatever its hostname) waited. Unread request bodies at the node with the tunnel likewise.
	 */
	static final int CONNECTION_WINDOW = Integer.MAX_VALUE;

	private static final Logger logger = LoggerFactory.getLogger(PeerConnectionWindow.class);

	private static final AttributeKey<Boolean> ENLARGED = AttributeKey.valueOf("warp.peerConnectionWindow");

	private PeerConnectionWindow() {
	}

	/** @param channel a stream of the connection, or the connection itself */
	static void enlarge(Channel channel) {
		Channel connection = (channel instanceof Http2StreamChannel stream) ? stream.parent() : channel;
		if (connection == null || connection.attr(ENLARGED).setIfAbsent(Boolean.TRUE) != null) {
			return;
		}
		connection.eventLoop().execute(() -> {
			Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
			if (codec == null) {
				return;
			}
			Http2Connection http2 = codec.connection();
			int increment = CONNECTION_WINDOW - http2.local().flowController().windowSize(http2.connectionStream());
			if (increment <= 0) {
				return;
			}
			try {
				http2.local().flowController().incrementWindowSize(http2.connectionStream(), increment);
				connection.flush();
			}
			catch (Http2Exception ex) {
				logger.debug("Cannot enlarge the window of {}", connection, ex);
			}
		});
	}

}
