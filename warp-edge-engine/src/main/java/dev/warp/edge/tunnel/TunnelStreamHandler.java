package dev.warp.edge.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The handler of one tunnel stream's channel, an HTTP response's ({@link TunnelResponse}) or a
 * WebSocket's ({@link WebSocketStream}): what the two share. The stream's channel does not read
 * by itself ({@link TunnelConnection#openStream}): the head is read first, then a frame only when
 * the subclass wants one ({@link #readIfWanted()}). The head is delivered once, or fails; a
 * stream that ends before what it carries did fails with an {@link OriginFailure} that says why
 * (the agent reset it, its tunnel connection closed, it just closed), and fails once.
 *
 * <p>All state is confined to the stream's event loop; the public methods hop onto it.
 */
abstract class TunnelStreamHandler extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(TunnelStreamHandler.class);

	private final Sinks.One<ResponseHead> head = Sinks.one();

	private volatile @Nullable Channel channel;

	private volatile boolean cancelled;

	private volatile boolean connectionClosed;

	private boolean headReceived;

	private @Nullable Throwable failure;

	private @Nullable String resetReason;

	private boolean refused;

	/** The agent's answer: status and headers, once it sent them. */
	public Mono<ResponseHead> head() {
		return this.head.asMono();
	}

	/**
	 * Resets the stream (RST_STREAM CANCEL) unless it has ended, and drops what it buffered. Safe
	 * from any thread, any number of times.
	 */
	public void cancel() {
		this.cancelled = true;
		Channel stream = this.channel;
		if (stream != null) {
			cancelOn(stream);
		}
	}

	/** Whether {@link #cancel()} was called: the visitor left, or the exchange gave up on it. */
	public boolean isCancelled() {
		return this.cancelled;
	}

	/** Whether the stream ended because its tunnel connection closed under it. */
	public boolean connectionClosed() {
		return this.connectionClosed;
	}

	// For the subclasses, on the stream's event loop.

	/** The stream's channel, or {@code null} before it opened. */
	final @Nullable Channel channel() {
		return this.channel;
	}

	/** Whether the head arrived, or failed. */
	final boolean headReceived() {
		return this.headReceived;
	}

	/** The head arrived: {@link #failed} no longer fails it. */
	final void headArrived() {
		this.headReceived = true;
	}

	/** Emits the head: {@code false} when its subscriber is gone or it was failed already. */
	final boolean emitHead(ResponseHead head) {
		return this.head.tryEmitValue(head).isSuccess();
	}

	/** Fails the head with {@code cause} unless it arrived. */
	final void failHead(Throwable cause) {
		if (!this.headReceived) {
			this.headReceived = true;
			this.head.tryEmitError(cause);
		}
	}

	/**
	 * Fails the head from any thread, before the stream opened: whichever signal the head's sink
	 * takes first wins.
	 */
	final void failHeadBeforeOpen(Throwable cause) {
		this.head.tryEmitError(cause);
	}

	/** The failure the stream ended with, or {@code null}. */
	final @Nullable Throwable failure() {
		return this.failure;
	}

	/**
	 * The final status of a head from the agent, or {@code -1} for an informational one, which
	 * is skipped, and for an invalid one, which fails the stream.
	 */
	final int finalStatus(Http2HeadersFrame frame) {
		CharSequence status = frame.headers().status();
		int code = ResponseHead.parseStatus(status);
		if (code < 0) {
			failed(new OriginFailure("the agent sent an invalid :status " + status));
			return -1;
		}
		if (code < 200) {
			// Reactor Netty cannot send a visitor other informational responses than its own
			// 100 Continue, which it sends when the edge starts reading the request body.
			logger.debug("Skipped informational response {} from the agent", code);
			return -1;
		}
		return code;
	}

	/** A frame of the body came before any head: the agent broke the protocol. */
	final void bodyBeforeHead(Object frame) {
		ReferenceCountUtil.release(frame);
		failed(new OriginFailure("the agent sent a body before its response headers"));
	}

	/**
	 * Ends the stream with {@code cause} unless it has ended: the head, when it has not arrived,
	 * and what follows it fail, and the stream closes (RST_STREAM CANCEL if it was still open).
	 */
	final void failed(Throwable cause) {
		if (this.failure != null || isOver()) {
			return;
		}
		// A head already received goes out first: the failure then ends what follows it.
		flushHead();
		if (isOver()) {
			return;
		}
		this.failure = cause;
		countFailure();
		failHead(cause);
		endWithFailure();
		closeStream();
	}

	/** Closes the stream's channel; closing a stream that has not ended sends RST_STREAM(CANCEL). */
	final void closeStream() {
		Channel stream = this.channel;
		if (stream != null && stream.isActive()) {
			stream.close();
		}
	}

	/** Runs on the stream's event loop: at once when already there, which spares a task per call. */
	static void onStreamLoop(Channel stream, Runnable task) {
		if (stream.eventLoop().inEventLoop()) {
			task.run();
		}
		else {
			stream.eventLoop().execute(task);
		}
	}

	// What the subclasses tell apart.

	/** Whether nothing more is delivered: what followed the head ended, or was cancelled. */
	abstract boolean isOver();

	/** Whether the stream carried all it had to: its closing then fails nothing. */
	abstract boolean isComplete();

	/** What the stream carries, for messages: "response", "WebSocket". */
	abstract String carries();

	/** A frame read from the stream, neither over nor cancelled; the handler owns it. */
	abstract void frameRead(ChannelHandlerContext ctx, Object frame);

	/** Reads the next frame if it is wanted now. */
	abstract void readIfWanted();

	/** Drops what is buffered for a subscriber who will not take it: the stream was cancelled. */
	abstract void dropBuffered();

	/** Ends what follows the head with the stream's {@link #failure()}. */
	abstract void endWithFailure();

	/** The stream was added to its channel: before anything is read. */
	void streamAdded(ChannelHandlerContext ctx) {
	}

	/** The stream's channel closed, before its closing fails anything. */
	void streamClosed() {
	}

	/** Delivers a head that waits for more, before a failure ends the stream. */
	void flushHead() {
	}

	/** A failure is decided: whom it concerns hears of it. */
	void countFailure() {
	}

	/** The failure of a stream the agent reset with {@code reason}; {@code refused}: REFUSED_STREAM. */
	OriginFailure resetByAgent(String reason, boolean refused) {
		return new OriginFailure(reason);
	}

	/** Cancels on the stream's event loop: at once when already there. */
	void cancelOn(Channel stream) {
		onStreamLoop(stream, this::cancelOnLoop);
	}

	final void cancelOnLoop() {
		this.cancelled = true;
		dropBuffered();
		closeStream();
	}

	// Channel handler: runs on the stream's event loop.

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.channel = ctx.channel();
		streamAdded(ctx);
		if (this.cancelled) {
			cancelOnLoop();
		}
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		// The head is the first thing to read; reading more waits for demand.
		ctx.read();
		ctx.fireChannelActive();
	}

	@Override
	public final void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (isOver() || this.cancelled) {
			ReferenceCountUtil.release(msg);
			return;
		}
		frameRead(ctx, msg);
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		readIfWanted();
		ctx.fireChannelReadComplete();
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
		if (evt instanceof Http2ResetFrame reset) {
			this.resetReason = "stream reset by the agent (" + StreamErrors.name(reset.errorCode()) + ")";
			this.refused = reset.errorCode() == Http2Error.REFUSED_STREAM.code();
		}
		ReferenceCountUtil.release(evt);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		failed(new OriginFailure("tunnel stream failed: " + cause.getMessage(), cause));
		ctx.close();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		streamClosed();
		if (!isComplete()) {
			Channel parent = ctx.channel().parent();
			if (this.resetReason != null) {
				failed(resetByAgent(this.resetReason, this.refused));
			}
			else if (parent != null && !parent.isActive()) {
				this.connectionClosed = true;
				failed(OriginFailure.connectionLost("tunnel connection closed"));
			}
			else {
				failed(new OriginFailure("stream closed before the " + carries() + " ended"));
			}
		}
		ctx.fireChannelInactive();
	}

}
