package dev.warp.edge.tunnel;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * The receive window of one tunnel stream: how far the agent may send a response ahead of the
 * edge's reads, which is what a response nobody reads holds at the edge. It starts small
 * ({@link #INITIAL}, advertised in SETTINGS), and grows up to {@link #MAX} for a response whose
 * visitor takes it as fast as it comes: over a long round trip a download is only as fast as its
 * window allows.
 */
public final class StreamWindow {

	/** The window every tunnel stream starts with (SETTINGS_INITIAL_WINDOW_SIZE). */
	public static final int INITIAL = 64 * 1024;

	/** The largest window one tunnel stream grows to. */
	public static final int MAX = 1024 * 1024;

	private StreamWindow() {
	}

	/**
	 * Enlarges the window of a tunnel stream by {@code delta} bytes: the agent hears of it with a
	 * WINDOW_UPDATE. On the stream's event loop.
	 * @return whether the window grew; not for a stream that closed, or ended its response
	 */
	public static boolean grow(Channel channel, int delta) {
		if (!(channel instanceof Http2StreamChannel stream) || stream.parent() == null || !stream.isActive()) {
			return false;
		}
		Http2FrameCodec codec = stream.parent().pipeline().get(Http2FrameCodec.class);
		Http2Stream http2Stream = (codec != null) ? codec.connection().stream(stream.stream().id()) : null;
		if (http2Stream == null || !http2Stream.state().remoteSideOpen()) {
			return false;
		}
		try {
			codec.connection().local().flowController().incrementWindowSize(http2Stream, delta);
		}
		catch (Http2Exception ex) {
			return false;
		}
		stream.parent().flush();
		return true;
	}

}
