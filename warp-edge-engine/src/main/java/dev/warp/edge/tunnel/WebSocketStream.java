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
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

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
public final class WebSocketStream extends TunnelStreamHandler {

	/**
	 * Largest WebSocket frame the edge relays. Frames pass one by one (a long message may be
	 * fragmented into many), each held whole while it crosses the edge.
	 */
	public static final int MAX_FRAME_PAYLOAD = 1024 * 1024;

	private final ArrayDeque<Object> pending = new ArrayDeque<>();

	private volatile @Nullable WebSocketCloseStatus agentClose;

	private @Nullable FluxSink<Object> sink;

	private boolean discarding;

	private boolean ended;

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
			Channel stream = channel();
			if (stream == null) {
				sink.error(new IllegalStateException("The tunnel stream is not open"));
				return;
			}
			sink.onRequest((n) -> onStreamLoop(stream, this::readIfWanted));
			// The visitor's side stopped listening: what the agent still sends is read and dropped,
			// so that its close and the end of the stream still arrive. Resetting is the exchange's call.
			sink.onCancel(() -> onStreamLoop(stream, this::detach));
			onStreamLoop(stream, () -> attach(sink));
		}).cast(type);
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

	@Override
	void endWithFailure() {
		end();
	}

	private void terminateIfDone() {
		FluxSink<Object> target = this.sink;
		if (target == null || !this.ended) {
			return;
		}
		Throwable cause = failure();
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
	@Override
	void readIfWanted() {
		Channel stream = channel();
		if (stream == null || !stream.isActive()) {
			return;
		}
		FluxSink<Object> target = this.sink;
		if (!headReceived() || this.ended || this.discarding
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

	@Override
	void dropBuffered() {
		this.sink = null;
		releasePending();
	}

	private void releasePending() {
		Object next;
		while ((next = this.pending.poll()) != null) {
			ReferenceCountUtil.release(next);
		}
	}

}
