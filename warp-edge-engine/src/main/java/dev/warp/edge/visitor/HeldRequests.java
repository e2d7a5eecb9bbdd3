package dev.warp.edge.visitor;

import java.util.ArrayDeque;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * The messages of requests pipelined behind the one in progress on an HTTP/1.1 connection, in
 * order, with the connection's reading paused while they wait: responses leave in request order
 * and the socket waits with them. One per connection ({@link Http1Forwarder}); on its event loop.
 */
final class HeldRequests {

	private final ArrayDeque<Object> held = new ArrayDeque<>();

	/** Whether this turned the connection's auto-read off while requests wait. */
	private boolean pausedReading;

	/** Holds a message; reading stops until the requests held go on. */
	void hold(ChannelHandlerContext ctx, Object msg) {
		this.held.add(msg);
		pauseReading(ctx);
	}

	boolean isEmpty() {
		return this.held.isEmpty();
	}

	@Nullable Object peek() {
		return this.held.peek();
	}

	@Nullable Object poll() {
		return this.held.poll();
	}

	/** Whether reading is off because requests wait. */
	boolean pausedReading() {
		return this.pausedReading;
	}

	/** Reading goes on, before the requests held go on: what the forwarder decides for one of them stands. */
	void resumeReading(ChannelHandlerContext ctx) {
		if (this.pausedReading) {
			this.pausedReading = false;
			ctx.channel().config().setAutoRead(true);
		}
	}

	/** Reading stops again if requests still wait after those that could go on went. */
	void pauseIfWaiting(ChannelHandlerContext ctx) {
		if (!this.held.isEmpty()) {
			pauseReading(ctx);
		}
	}

	private void pauseReading(ChannelHandlerContext ctx) {
		if (!this.pausedReading) {
			this.pausedReading = true;
			ctx.channel().config().setAutoRead(false);
		}
	}

	/** Drops what is held: the connection closes, or nothing read after a refused request is a request. */
	void release() {
		Object msg;
		while ((msg = this.held.poll()) != null) {
			ReferenceCountUtil.release(msg);
		}
	}

}
