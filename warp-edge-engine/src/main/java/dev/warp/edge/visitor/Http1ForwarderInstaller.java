package dev.warp.edge.visitor;

import dev.warp.edge.exchange.ExchangeSettings;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpServerCodec;
import reactor.netty.NettyPipeline;

/**
 * Puts an {@link Http1Forwarder} on a TLS visitor's connection once ALPN chose HTTP/1.1, or an
 * {@link Http2Forwarder} in front of the stream multiplexer once it chose HTTP/2: Reactor Netty
 * adds the codecs only then, which this handler finds with the first bytes after the handshake.
 * It leaves the pipeline at that moment.
 */
public final class Http1ForwarderInstaller extends ChannelInboundHandlerAdapter {

	static final String NAME = "warp.http1ForwarderInstaller";

	private final ExchangeSettings settings;

	/** Told about every HTTP/2 visitor connection, to watch it for abuse. */
	private final AbusiveClients abusiveClients;

	Http1ForwarderInstaller(ExchangeSettings settings, AbusiveClients abusiveClients) {
		this.settings = settings;
		this.abusiveClients = abusiveClients;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		ChannelHandlerContext codec = ctx.pipeline().context(HttpServerCodec.class);
		if (codec != null && ctx.pipeline().get(Http1Forwarder.NAME) == null) {
			ctx.pipeline().addAfter(codec.name(), Http1Forwarder.NAME, new Http1Forwarder(this.settings, this.abusiveClients));
		}
		else if (ctx.pipeline().get(NettyPipeline.H2MultiplexHandler) != null) {
			this.abusiveClients.watch(ctx.channel());
			if (ctx.pipeline().get(Http2Forwarder.NAME) == null) {
				ctx.pipeline()
					.addBefore(NettyPipeline.H2MultiplexHandler, Http2Forwarder.NAME, new Http2Forwarder(this.settings, false));
			}
		}
		ctx.pipeline().remove(this);
		ctx.fireChannelRead(msg);
	}

}
