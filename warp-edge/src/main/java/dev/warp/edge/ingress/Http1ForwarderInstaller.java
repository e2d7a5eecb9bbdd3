package dev.warp.edge.ingress;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Puts an {@link Http1Forwarder} on a TLS visitor's connection once ALPN chose HTTP/1.1: Reactor
 * Netty adds the HTTP codec only then, in front of this handler, which it finds with the first
 * bytes after the handshake. It leaves the pipeline at that moment, with or without a codec
 * (HTTP/2 visitors go Reactor Netty's way).
 */
final class Http1ForwarderInstaller extends ChannelInboundHandlerAdapter {

	static final String NAME = "warp.http1ForwarderInstaller";

	private final Http1Forwarder.Settings settings;

	Http1ForwarderInstaller(Http1Forwarder.Settings settings) {
		this.settings = settings;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		ChannelHandlerContext codec = ctx.pipeline().context(HttpServerCodec.class);
		if (codec != null && ctx.pipeline().get(Http1Forwarder.NAME) == null) {
			ctx.pipeline().addAfter(codec.name(), Http1Forwarder.NAME, new Http1Forwarder(this.settings));
		}
		ctx.pipeline().remove(this);
		ctx.fireChannelRead(msg);
	}

}
