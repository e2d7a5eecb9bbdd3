package dev.warp.edge.tunnel;

import java.util.ArrayDeque;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * The tunnel side of one WebSocket: the handler of an extended CONNECT stream. It delivers the
 * agent's answer to the handshake once, then either the WebSocket frames the agent sends (after
 * a {@code 2xx}: the stream then carries WebSocket frames both ways, masked towards the agent as
 * from any client) or the body of a refusal.
 *
 * <p>The stream does not read by itself: the next frame is read only while its receiver has
 * demand, so a slow visitor slows the application through HTTP/2 flow control. All state is
 * confined to the stream's event loop.
 */
public final class WebSocketStream extends TunnelStreamHandler {

	/**
	 * Largest WebSocket frame the edge relays. Frames pass one by one (a long message may be
	 * fragmented into many), each held whole while it crosses the edge.
	 */
	public static final int MAX_FRAME_PAYLOAD = 1024 * 1024;

	private final ArrayDeque<Object> pending = new ArrayDeque<>();

	private volatile @Nullable WebSocketCloseStatus agentClose;

	private @Nullable Receiver receiver;

	/** Frames the receiver asked for and has not been given yet. */
	private long demand;

	private boolean discarding;

	private boolean ended;

	private boolean endDelivered;

	/**
	 * Takes what follows the head, on the stream's event loop: after a {@code 2xx} the agent's
	 * WebSocket frames, its close frame excepted (it ends them and shows in {@link #agentClose()});
	 * after any other status the response body as buffers.
	 */
	public interface Receiver {

		/** A frame or a buffer, as many as {@link #request requested}; owned by the receiver. */
		void next(Object message);

		/** The end, once: {@code failure} is {@code null} when the stream ended as it should. */
		void end(@Nullable Throwable failure);

	}

	/** The stream's channel, or {@code null} before it opened. */
	public @Nullable Channel streamChannel() {
		return channel();
	}

	/** The close status the agent sent, or {@code null} before it sent one. */
	public @Nullable WebSocketCloseStatus agentClose() {
		return this.agentClose;
	}

	/**
	 * Hands what follows the head to {@code receiver}, the only one; from any thread once the
	 * stream opened. Nothing is read for it before it {@link #request requests} it.
	 */
	public void receive(Receiver receiver) {
		Channel stream = channel();
		if (stream == null) {
			receiver.end(new IllegalStateException("The tunnel stream is not open"));
			return;
		}
		onStreamLoop(stream, () -> attach(receiver));
	}

	/** The receiver takes {@code n} more frames (or buffers); from any thread. */
	public void request(long n) {
		Channel stream = channel();
		if (stream != null) {
			onStreamLoop(stream, () -> {
				this.demand = (this.demand + n < 0) ? Long.MAX_VALUE : this.demand + n;
				readIfWanted();
			});
		}
	}

	/**
	 * Nobody takes what follows any more: it is read and dropped, so that the agent's close and
	 * the end of the stream still arrive. From any thread.
	 */
	public void discard() {
		Channel stream = channel();
		if (stream != null) {
			onStreamLoop(stream, this::detach);
		}
	}

	@Override
	void streamAdded(ChannelHandlerContext ctx) {
		ctx.pipeline().addBefore(ctx.name(), null, new DataFrameCodec());
	}

	@Override
	void frameRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof Http2HeadersFrame frame) {
			onHeaders(ctx, frame);
		}
		else if (!headReceived()) {
			bodyBeforeHead(msg);
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
		if (headReceived()) {
			// Trailers: a WebSocket stream has nothing to say in them.
			return;
		}
		int status = finalStatus(frame);
		if (status < 0) {
			return;
		}
		headArrived();
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
		emitHead(new ResponseHead(status, frame.headers(), frame.isEndStream()));
		if (frame.isEndStream()) {
			end();
		}
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
		if (evt == DataFrameCodec.END_OF_STREAM) {
			if (headReceived() && !this.ended) {
				end();
			}
			return;
		}
		super.userEventTriggered(ctx, evt);
	}

	@Override
	boolean isOver() {
		return this.ended;
	}

	@Override
	boolean isComplete() {
		return this.ended;
	}

	@Override
	String carries() {
		return "WebSocket";
	}

	private void attach(Receiver target) {
		if (this.receiver != null || this.discarding) {
			target.end(new IllegalStateException("A WebSocket stream has one receiver only"));
			return;
		}
		this.receiver = target;
		Object next;
		while ((next = this.pending.poll()) != null) {
			this.demand--;
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
		Receiver target = this.receiver;
		if (target != null) {
			this.demand--;
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

	@Override
	void endWithFailure() {
		end();
	}

	private void terminateIfDone() {
		Receiver target = this.receiver;
		if (target == null || !this.ended || this.endDelivered) {
			return;
		}
		this.endDelivered = true;
		target.end(failure());
	}

	/**
	 * Reads the next frame when the visitor's side wants one; and, once the WebSocket ended or
	 * nobody listens, reads on and drops, so that the end of the stream arrives and it closes.
	 */
	@Override
	void readIfWanted() {
		Channel stream = channel();
		if (stream == null || !stream.isActive()) {
			return;
		}
		if (!headReceived() || this.ended || this.discarding || (this.receiver != null && this.demand > 0)) {
			stream.read();
		}
	}

	private void detach() {
		this.receiver = null;
		this.discarding = true;
		releasePending();
		readIfWanted();
	}

	@Override
	void dropBuffered() {
		this.receiver = null;
		releasePending();
	}

	private void releasePending() {
		Object next;
		while ((next = this.pending.poll()) != null) {
			ReferenceCountUtil.release(next);
		}
	}

}
