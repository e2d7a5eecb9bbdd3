package dev.warp.edge.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;

/**
 * Between an HTTP/2 stream and a byte-oriented codec (the WebSocket frame codec): DATA frames
 * in become their bytes, followed by {@link #END_OF_STREAM} when the peer ended the stream;
 * bytes out become DATA frames. Other frames pass unchanged.
 */
public final class DataFrameCodec extends ChannelDuplexHandler {

	/** User event fired after the last bytes of a stream the peer ended. */
	public static final Object END_OF_STREAM = new Object() {
		@Override
		public String toString() {
			return "END_OF_STREAM";
		}
	};

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof Http2DataFrame frame) {
			boolean end = frame.isEndStream();
			if (frame.content().isReadable()) {
				ctx.fireChannelRead(frame.content());
			}
			else {
				frame.release();
			}
			if (end) {
				ctx.fireUserEventTriggered(END_OF_STREAM);
			}
			return;
		}
		ctx.fireChannelRead(msg);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		ctx.write((msg instanceof ByteBuf bytes) ? new DefaultHttp2DataFrame(bytes, false) : msg, promise);
	}

}
