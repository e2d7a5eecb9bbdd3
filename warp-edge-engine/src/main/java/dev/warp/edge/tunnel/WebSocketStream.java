package dev.warp.edge.tunnel;

import java.util.ArrayDeque;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The tunnel side of one WebSocket: the handler of an extended CONNECT stream. It delivers the
 * agent's answer to the handshake once, then either the WebSocket frames the agent sends (after
 * a {@code 2xx}: the stream then carries WebSocket frames both ways, masked towards the agent as
 * from any client) or the body of a refusal.
 *
 * <p>The stream does not read by itself: the next frame is read only while the visitor's side has
 * demand, so a slow visitor slows the application through HTTP/2 flow control. All state is
 * confined to the stream's event loop.
 */
public final class WebSocketStream extends ChannelInboundHandlerAdapter {

	/**
	 * Largest WebSocket frame the edge relays. Frames pass one by one (a long message may be
	 * fragmented into many), each held whole while it crosses the edge.
	 */
	public static final int MAX_FRAME_PAYLOAD = 1024 * 1024;

	private final Sinks.One<ResponseHead> head = Sinks.one();

	private final ArrayDeque<Object> pending = new ArrayDeque<>();

	private volatile @Nullable Channel channel;

	private volatile @Nullable WebSocketCloseStatus agentClose;

	private volatile boolean cancelled;

	private volatile boolean connectionClosed;

	private @Nullable FluxSink<Object> sink;

	private boolean headReceived;

	private boolean discarding;

	private boolean ended;

	private @Nullable Throwable failure;

	private @Nullable String resetReason;

	/** The agent's answer to the handshake. */
	public Mono<ResponseHead> head() {
		return this.head.asMono();
	}

	/** Whether the stream ended because its tunnel connection closed under it. */
	public boolean connectionClosed() {
		return this.connectionClosed;
	}

	/** The close status the agent sent, or {@code null} before it sent one. */
	public @Nullable WebSocketCloseStatus agentClose() {
		return this.agentClose;
	}

	/**
	 * What follows the head, once: after a {@code 2xx} the agent's WebSocket frames, its close
	 * frame excepted (it ends the flux and shows in {@link #agentClose()}); after any other status
	 * the response body as buffers. Fails when the stream fails before it ended.
	 */
	public <T> Flux<T> body(Class<T> type) {
		return Flux.<Object>create((sink) -> {
			Channel stream = this.channel;
			if (stream == null) {
				sink.error(new IllegalStateException("The tunnel stream is not open"));
				return;
			}
			sink.onRequest((n) -> onLoop(stream, this::readIfWanted));
			// The visitor's side stopped listening: what the agent still sends is read and dropped,
			// so that its close and the end of the stream still arrive. Resetting is the exchange's call.
			sink.onCancel(() -> onLoop(stream, this::detach));
			onLoop(stream, () -> attach(sink));
		}).cast(type);
	}

	/** Resets the stream unless it has ended, and drops what it buffered. Safe from any thread. */
	public void cancel() {
		this.cancelled = true;
		Channel stream = this.channel;
		if (stream != null) {
			onLoop(stream, this::cancelOnLoop);
		}
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.channel = ctx.channel();
		ctx.pipeline().addBefore(ctx.name(), null, new DataFrameCodec());
		if (this.cancelled) {
			cancelOnLoop();
		}
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		ctx.read();
		ctx.fireChannelActive();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (this.ended || this.cancelled) {
			ReferenceCountUtil.release(msg);
			return;
		}
		if (msg instanceof Http2HeadersFrame frame) {
			onHeaders(ctx, frame);
		}
		else if (!this.headReceived) {
			ReferenceCountUtil.release(msg);
			failed(new OriginFailure("the agent sent a body before its response headers"));
		}
		else if (msg instanceof CloseWebSocketFrame close) {
			int code = close.statusCode();
			this.agentClose = (code < 0) ? WebSocketCloseStatus.EMPTY : new WebSocketCloseStatus(code, close.reasonText(), false);
			close.release();
			end();
		}
		else {
			deliver(msg);
		}
	}

	private void onHeaders(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
		if (this.headReceived) {
			// Trailers: a WebSocket stream has nothing to say in them.
			return;
		}
		int status = ResponseHead.parseStatus(frame.headers().status());
		if (status < 0) {
			failed(new OriginFailure("the agent sent an invalid :status " + frame.headers().status()));
			return;
		}
		if (status < 200) {
			return;
		}
		this.headReceived = true;
		if (status < 300 && !frame.isEndStream()) {
			WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder()
				.expectMaskedFrames(false)
				.allowMaskMismatch(false)
				.allowExtensions(true)
				.maxFramePayloadLength(MAX_FRAME_PAYLOAD)
				.closeOnProtocolViolation(false)
				.build();
			ctx.pipeline().addBefore(ctx.name(), null, new WebSocket13FrameDecoder(config));
			// Towards the application the edge is the client: its frames are masked (RFC 6455 5.3).
			ctx.pipeline().addBefore(ctx.name(), null, new WebSocket13FrameEncoder(true));
		}
		this.head.tryEmitValue(new ResponseHead(status, frame.headers(), frame.isEndStream()));
		if (frame.isEndStream()) {
			end();
		}
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
		if (evt == DataFrameCodec.END_OF_STREAM) {
			if (this.headReceived && !this.ended) {
				end();
			}
			return;
		}
		if (evt instanceof Http2ResetFrame reset) {
			this.resetReason = "stream reset by the agent (" + StreamErrors.name(reset.errorCode()) + ")";
		}
		ReferenceCountUtil.release(evt);
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		readIfWanted();
		ctx.fireChannelReadComplete();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		failed(new OriginFailure("tunnel stream failed: " + cause.getMessage(), cause));
		ctx.close();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (!this.ended) {
			Channel parent = ctx.channel().parent();
			if (this.resetReason != null) {
				failed(new OriginFailure(this.resetReason));
			}
			else if (parent != null && !parent.isActive()) {
				this.connectionClosed = true;
				failed(OriginFailure.connectionLost("tunnel connection closed"));
			}
			else {
				failed(new OriginFailure("stream closed before the WebSocket ended"));
			}
		}
		ctx.fireChannelInactive();
	}

	private void attach(FluxSink<Object> target) {
		if (this.sink != null) {
			target.error(new IllegalStateException("A WebSocket stream has one subscriber only"));
			return;
		}
		this.sink = target;
		Object next;
		while ((next = this.pending.poll()) != null) {
			target.next(next);
		}
		terminateIfDone();
		readIfWanted();
	}

	private void deliver(Object msg) {
		if (this.discarding) {
			ReferenceCountUtil.release(msg);
			return;
		}
		FluxSink<Object> target = this.sink;
		if (target != null) {
			target.next(msg);
		}
		else {
			this.pending.add(msg);
		}
	}

	private void end() {
		this.ended = true;
		terminateIfDone();
	}

	private void failed(Throwable cause) {
		if (this.failure != null || this.ended) {
			return;
		}
		this.failure = cause;
		this.ended = true;
		if (!this.headReceived) {
			this.headReceived = true;
			this.head.tryEmitError(cause);
		}
		terminateIfDone();
		Channel stream = this.channel;
		if (stream != null && stream.isActive()) {
			stream.close();
		}
	}

	private void terminateIfDone() {
		FluxSink<Object> target = this.sink;
		if (target == null || !this.ended) {
			return;
		}
		Throwable cause = this.failure;
		if (cause != null) {
			target.error(cause);
		}
		else {
			target.complete();
		}
	}

	/**
	 * Reads the next frame when the visitor's side wants one; and, once the WebSocket ended or
	 * nobody listens, reads on and drops, so that the end of the stream arrives and it closes.
	 */
	private void readIfWanted() {
		Channel stream = this.channel;
		if (stream == null || !stream.isActive()) {
			return;
		}
		FluxSink<Object> target = this.sink;
		if (!this.headReceived || this.ended || this.discarding
				|| (target != null && target.requestedFromDownstream() > 0)) {
			stream.read();
		}
	}

	private void detach() {
		this.sink = null;
		this.discarding = true;
		releasePending();
		readIfWanted();
	}

	private void releasePending() {
		Object next;
		while ((next = this.pending.poll()) != null) {
			ReferenceCountUtil.release(next);
		}
	}

	private void cancelOnLoop() {
		this.cancelled = true;
		this.sink = null;
		releasePending();
		Channel stream = this.channel;
		if (stream != null && stream.isActive()) {
			// Closing a stream that has not ended sends RST_STREAM(CANCEL).
			stream.close();
		}
	}

	private static void onLoop(Channel stream, Runnable task) {
		if (stream.eventLoop().inEventLoop()) {
			task.run();
		}
		else {
			stream.eventLoop().execute(task);
		}
	}

}
