package dev.warp.edge.tunnel;

import java.io.IOException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection-level events of a tunnel connection, after the HTTP/2 codec and the stream
 * multiplexer: starts the connection, and tells it about GOAWAY and the socket closing.
 */
final class TunnelConnectionHandler extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(TunnelConnectionHandler.class);

	private final TunnelConnection connection;

	private final int connectionWindow;

	TunnelConnectionHandler(TunnelConnection connection, int connectionWindow) {
		this.connection = connection;
		this.connectionWindow = connectionWindow;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		// SETTINGS only size stream windows; the connection window grows with a WINDOW_UPDATE on
		// stream 0, or every response shares 64 KiB in flight.
		int increment = this.connectionWindow - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
		if (increment > 0) {
			ctx.write(new DefaultHttp2WindowUpdateFrame(increment));
		}
		ctx.flush();
		this.connection.start();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		try {
			if (msg instanceof Http2SettingsFrame settings) {
				this.connection.settingsReceived(settings.settings());
			}
			else if (msg instanceof Http2GoAwayFrame goAway) {
				// Streams cannot be opened after GOAWAY: the same as a drain.
				this.connection.drain("the agent sent GOAWAY (" + StreamErrors.name(goAway.errorCode()) + ")");
			}
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.connection.closed();
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (cause instanceof IOException) {
			logger.debug("Tunnel connection {} failed", this.connection.id(), cause);
			ctx.close();
		}
		else {
			this.connection.closeWithReason("connection failed: " + cause);
		}
	}

}
