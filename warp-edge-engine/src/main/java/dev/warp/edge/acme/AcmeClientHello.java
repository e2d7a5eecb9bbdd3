package dev.warp.edge.acme;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.SucceededFuture;

/**
 * First in a TLS public listener's pipeline, before the handler that picks the certificate by
 * SNI: a ClientHello of an ACME TLS-ALPN-01 validation (ALPN {@code acme-tls/1} only) for a
 * hostname under validation gets the challenge's certificate, and its connection closes after the
 * handshake, which is all the CA needs. Any other ClientHello passes on untouched, and this
 * handler leaves the pipeline.
 */
public final class AcmeClientHello extends SslClientHelloHandler<SslContext> {

	/** The name to install this handler under. */
	public static final String NAME = "warp.acmeClientHello";

	private final AcmeTlsChallenges challenges;

	public AcmeClientHello(AcmeTlsChallenges challenges) {
		this.challenges = challenges;
	}

	@Override
	protected Future<SslContext> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) {
		ClientHello hello = ClientHello.parse(clientHello);
		return hello.isAcmeValidation() ? this.challenges.lookup(ctx.executor(), hello.serverName())
				: new SucceededFuture<>(ctx.executor(), null);
	}

	@Override
	protected void onLookupComplete(ChannelHandlerContext ctx, Future<SslContext> future) {
		SslContext context = future.getNow();
		if (context == null) {
			ctx.pipeline().remove(this);
			return;
		}
		// The listener's own TLS handler after this one would take the bytes: it goes.
		for (String name : ctx.pipeline().names()) {
			ChannelHandler handler = ctx.pipeline().get(name);
			if (handler != this && (handler instanceof SslHandler || handler instanceof AbstractSniHandler)) {
				ctx.pipeline().remove(handler);
			}
		}
		SslHandler tls = context.newHandler(ctx.alloc());
		ctx.pipeline().addAfter(ctx.name(), "warp.acmeChallengeClose", new CloseAfterHandshake());
		ctx.pipeline().replace(this, "warp.acmeChallengeTls", tls);
	}

	/** Ends a validation's connection once its handshake is done: nothing is served over {@code acme-tls/1}. */
	private static final class CloseAfterHandshake extends ChannelInboundHandlerAdapter {

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
			if (event instanceof SslHandshakeCompletionEvent) {
				ctx.close();
				return;
			}
			ctx.fireUserEventTriggered(event);
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			io.netty.util.ReferenceCountUtil.release(msg);
		}

	}

}
