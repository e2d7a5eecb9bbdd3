package dev.warp.edge.visitor;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http2.Http2StreamChannel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a visitor's connection that has not sent a request's complete headers in time, counted
 * from the connection's opening (its TLS handshake included) and, on HTTP/1.1, from the end of
 * each response. Unlike an idle timeout, a byte now and then does not reset it, so a visitor that
 * sends its headers byte by byte (slowloris) cannot hold a connection open.
 *
 * <p>Sits first in the connection's pipeline and lets every byte pass; the forwarders tell
 * it when a request's headers are complete. An HTTP/2 connection is released from it at its
 * first request: its streams are bounded by SETTINGS_MAX_CONCURRENT_STREAMS instead.
 */
public final class RequestHeaderTimeout extends ChannelInboundHandlerAdapter {

	static final String NAME = "warp.requestHeaderTimeout";

	private static final Logger logger = LoggerFactory.getLogger(RequestHeaderTimeout.class);

	private final long timeoutNanos;

	private @Nullable ChannelHandlerContext context;

	/** Set on every request of a keep-alive connection: a timer that is rarely cancelled. */
	private @Nullable LazyDeadline deadline;

	private boolean released;

	RequestHeaderTimeout(Duration timeout) {
		this.timeoutNanos = timeout.toNanos();
	}

	/** A request's headers arrived on this channel (a connection, or an HTTP/2 stream of one). */
	static void headersReceived(Channel requestChannel) {
		boolean http2 = requestChannel instanceof Http2StreamChannel;
		Channel connection = http2 ? requestChannel.parent() : requestChannel;
		onHandler(connection, (handler) -> {
			handler.released |= http2;
			handler.disarm();
		});
	}

	/**
	 * The response to a request on this channel is complete: on HTTP/1.1 the next request's
	 * headers are due. A connection upgraded to WebSocket carries no more requests: it is released.
	 */
	static void responseComplete(Channel requestChannel) {
		if (!(requestChannel instanceof Http2StreamChannel)) {
			onHandler(requestChannel, (handler) -> {
				if (requestChannel.pipeline().get(WebSocketFrameDecoder.class) != null) {
					handler.released = true;
				}
				handler.arm();
			});
		}
	}

	private static void onHandler(@Nullable Channel connection, java.util.function.Consumer<RequestHeaderTimeout> action) {
		if (connection == null) {
			return;
		}
		RequestHeaderTimeout handler = connection.pipeline().get(RequestHeaderTimeout.class);
		if (handler == null) {
			return;
		}
		if (connection.eventLoop().inEventLoop()) {
			action.accept(handler);
		}
		else {
			connection.eventLoop().execute(() -> action.accept(handler));
		}
	}

	/** A request's headers arrived on this HTTP/1.1 connection. Called on its event loop. */
	void headersReceived() {
		disarm();
	}

	/** A request's headers arrived on a stream of this HTTP/2 connection. Called on its event loop. */
	void streamHeadersReceived() {
		this.released = true;
		disarm();
	}

	/** The response to this HTTP/1.1 connection's request is complete. Called on its event loop. */
	void responseComplete() {
		arm();
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.context = ctx;
		this.deadline = new LazyDeadline(ctx.executor(), this.timeoutNanos, () -> {
			logger.debug("Closing visitor connection {}: no complete request headers within {} ms", ctx.channel(),
					TimeUnit.NANOSECONDS.toMillis(this.timeoutNanos));
			ctx.close();
		});
		if (ctx.channel().isActive()) {
			arm();
		}
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		arm();
		ctx.fireChannelActive();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		cancel();
		ctx.fireChannelInactive();
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		cancel();
	}

	private void arm() {
		ChannelHandlerContext ctx = this.context;
		LazyDeadline deadline = this.deadline;
		if (ctx == null || deadline == null || this.released || !ctx.channel().isActive()) {
			return;
		}
		deadline.set();
	}

	private void disarm() {
		LazyDeadline deadline = this.deadline;
		if (deadline != null) {
			deadline.clear();
		}
	}

	private void cancel() {
		LazyDeadline deadline = this.deadline;
		if (deadline != null) {
			deadline.cancel();
		}
	}

}
