package dev.warp.agent.internal.connection;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * The receive window of a whole tunnel connection. SETTINGS only set the window of each stream;
 * the connection's own stays at HTTP/2's 64 KiB unless a WINDOW_UPDATE on stream 0 enlarges it,
 * and would then cap every upload on the connection together at 64 KiB per round trip.
 */
final class ConnectionWindow {

	/**
	 * Receive window of the whole connection: HTTP/2's largest, so that only each stream's own
	 * window ({@code TunnelServer.INITIAL_WINDOW_SIZE}) bounds what a request body holds here.
	 * Bodies the application leaves unread hold their streams' windows until it reads them; with
	 * 32 MiB, 32 such uploads held the whole connection and every other request body on it waited.
	 */
	private static final int SIZE = Integer.MAX_VALUE;

	private ConnectionWindow() {
	}

	/** Enlarges the connection's receive window to its size, once HTTP/2 is in its pipeline. */
	static void enlarge(Channel ch) {
		Http2FrameCodec codec = ch.pipeline().get(Http2FrameCodec.class);
		if (codec == null) {
			return;
		}
		Http2Connection connection = codec.connection();
		Http2Stream connectionStream = connection.connectionStream();
		int current = connection.local().flowController().windowSize(connectionStream);
		try {
			connection.local().flowController().incrementWindowSize(connectionStream, SIZE - current);
		}
		catch (Http2Exception ex) {
			throw new TunnelException("Cannot enlarge the tunnel connection's flow-control window", ex);
		}
	}

}
