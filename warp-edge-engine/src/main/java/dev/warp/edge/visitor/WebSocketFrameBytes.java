package dev.warp.edge.visitor;

import java.util.ArrayList;
import java.util.List;

import dev.warp.edge.tunnel.WebSocketStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jspecify.annotations.Nullable;

/**
 * Netty's WebSocket frame codec over the bytes of an HTTP/2 visitor's stream (RFC 8441), which
 * has no channel of its own to put the codec in: the visitor's DATA frames become WebSocket
 * frames, and frames for the visitor become bytes for DATA frames. The server's side: frames
 * are read masked and written unmasked. On the visitor connection's event loop.
 */
final class WebSocketFrameBytes {

	private final Decoder decoder = new Decoder();

	private final Encoder encoder = new Encoder();

	/** Bytes of a frame not whole yet. */
	private @Nullable ByteBuf partial;

	/**
	 * The frames {@code bytes} complete (released here).
	 * @throws Exception when they break the protocol ({@link io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException})
	 */
	List<WebSocketFrame> decode(ChannelHandlerContext ctx, ByteBuf bytes) throws Exception {
		ByteBuf in = (this.partial != null) ? ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), this.partial, bytes)
				: bytes;
		this.partial = null;
		List<Object> out = new ArrayList<>(2);
		try {
			while (in.isReadable()) {
				int before = in.readableBytes();
				int decoded = out.size();
				this.decoder.decodeFrom(ctx, in, out);
				if (out.size() == decoded && in.readableBytes() == before) {
					break;
				}
			}
		}
		catch (Exception ex) {
			in.release();
			out.forEach(io.netty.util.ReferenceCountUtil::release);
			throw ex;
		}
		if (in.isReadable()) {
			this.partial = in;
		}
		else {
			in.release();
		}
		List<WebSocketFrame> frames = new ArrayList<>(out.size());
		for (Object frame : out) {
			frames.add((WebSocketFrame) frame);
		}
		return frames;
	}

	/** The bytes of {@code frame} (released here). */
	ByteBuf encode(ChannelHandlerContext ctx, WebSocketFrame frame) throws Exception {
		List<Object> out = new ArrayList<>(2);
		try {
			this.encoder.encodeTo(ctx, frame, out);
		}
		finally {
			frame.release();
		}
		return (out.size() == 1) ? (ByteBuf) out.get(0) : Unpooled.wrappedBuffer(out.toArray(new ByteBuf[0]));
	}

	/** Releases the bytes of a frame the stream ended in the middle of. */
	void release() {
		ByteBuf partial = this.partial;
		this.partial = null;
		if (partial != null) {
			partial.release();
		}
	}

	private static final class Decoder extends WebSocket13FrameDecoder {

		Decoder() {
			// A violation throws here; the visitor's side answers it (the stream is no channel to close).
			super(WebSocketDecoderConfig.newBuilder()
				.allowExtensions(true)
				.maxFramePayloadLength(WebSocketStream.MAX_FRAME_PAYLOAD)
				.closeOnProtocolViolation(false)
				.build());
		}

		void decodeFrom(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
			decode(ctx, in, out);
		}

	}

	private static final class Encoder extends WebSocket13FrameEncoder {

		Encoder() {
			super(false);
		}

		void encodeTo(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) throws Exception {
			encode(ctx, frame, out);
		}

	}

}
