package dev.warp.agent.internal.connection;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * Notes whether the first bytes the edge address answers are plain HTTP ({@code HTTP/}), not
 * TLS: the sign of an HTTP port (the edge's visitor port) given as the tunnel address. Before
 * the TLS handler; removes itself after the first read.
 */
final class PlainHttpDetector extends ChannelInboundHandlerAdapter {

	/** Set on the channel once the first bytes came: whether they were plain HTTP. */
	static final AttributeKey<Boolean> PLAIN_HTTP = AttributeKey.valueOf("warp.plainHttp");

	private static final byte[] HTTP = "HTTP/".getBytes(StandardCharsets.US_ASCII);

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof ByteBuf buffer && buffer.readableBytes() >= HTTP.length) {
			boolean http = true;
			for (int i = 0; i < HTTP.length; i++) {
				http &= buffer.getByte(buffer.readerIndex() + i) == HTTP[i];
			}
			ctx.channel().attr(PLAIN_HTTP).set(http);
		}
		ctx.pipeline().remove(this);
		ctx.fireChannelRead(msg);
	}

}
