package dev.warp.edge.visitor;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

/**
 * An HTTP/1.1 visitor's side of an open WebSocket: the handler after the connection's WebSocket
 * frame codec, which hands the visitor's frames to the {@link WebSocketRelay} and reads the
 * connection on demand only. The WebSocket ends with the connection.
 */
final class Http1WebSocket extends ChannelInboundHandlerAdapter implements WebSocketRelay.Visitor {

	static final String NAME = "warp.webSocketRelay";

	static final String DECODER_NAME = "warp.webSocketDecoder";

	static final String ENCODER_NAME = "warp.webSocketEncoder";

	private ChannelHandlerContext ctx;

	private WebSocketRelay relay;

	void relay(WebSocketRelay relay) {
		this.relay = relay;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.ctx = ctx;
		// Read on demand only (Http1Forwarder may have turned reading on after handing the connection over).
		ctx.channel().config().setAutoRead(false);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof WebSocketFrame frame) {
			this.relay.visitorFrame(frame);
		}
		else {
			ReferenceCountUtil.release(msg);
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		this.relay.visitorReadComplete();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		// The frame decoder answered a protocol violation with its own close already.
		this.relay.visitorFailed(cause);
		ctx.close();
	}

	@Override
	public EventExecutor executor() {
		return this.ctx.executor();
	}

	@Override
	public boolean isActive() {
		return this.ctx.channel().isActive();
	}

	@Override
	public ChannelFuture write(WebSocketFrame frame) {
		return this.ctx.writeAndFlush(frame);
	}

	@Override
	public void closeWith(CloseWebSocketFrame close) {
		this.ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
	}

	@Override
	public void readMore() {
		this.ctx.read();
	}

	@Override
	public Future<?> ended() {
		return this.ctx.channel().closeFuture();
	}

}
