package dev.warp.edge.visitor;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import dev.warp.edge.exchange.FailedRequests;
import dev.warp.edge.log.LogText;
import dev.warp.edge.tunnel.WebSocketStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open WebSocket of a visitor, relayed down its tunnel stream, whatever carries it on the
 * visitor's side ({@link Visitor}: an HTTP/1.1 connection, {@link Http1WebSocket}, or an HTTP/2
 * stream, {@link Http2WebSocket}). Frames flow both ways one by one under backpressure: the
 * visitor's side reads again only once the frames of its last read were written to the tunnel
 * stream (which HTTP/2 flow control holds back while the application does not read), and the
 * stream delivers another frame only once the visitor's side took the last. Text, binary, continuation, ping and pong frames pass as they are; the visitor's pongs to
 * the edge's own keep-alive pings ({@link WebSocketKeepAlive}) stop here.
 *
 * <p>Closing, as with Reactor Netty before: a close from either side reaches the other with its
 * code and reason; the edge answers the visitor's close at once and closes the connection after
 * any close it sent (an HTTP/2 visitor's stream ends with it). When the tunnel fails under an open WebSocket, the visitor gets {@code 1011}
 * with the cause, or {@code 1001} when the tunnel connection is gone. A visitor that leaves
 * without a close gets its stream reset, which ends the application's session at once.
 *
 * <p>The visitor's side runs on its connection's event loop, the tunnel's on the stream's: each
 * crosses to the other only to write there.
 */
final class WebSocketRelay implements WebSocketStream.Receiver {

	/** The visitor's side of an open WebSocket, on the visitor's event loop unless said otherwise. */
	interface Visitor {

		EventExecutor executor();

		/** Whether frames can still reach the visitor. */
		boolean isActive();

		/** Writes and flushes a frame to the visitor; from any thread. */
		ChannelFuture write(WebSocketFrame frame);

		/** Writes the last frame, a close, then ends the visitor's side. */
		void closeWith(CloseWebSocketFrame close);

		/** The frames of the visitor's last read are on their way to the tunnel: it may send more; from any thread. */
		void readMore();

		/** Done once the visitor's side ended, with a close or without. */
		Future<?> ended();

	}

	private static final Logger logger = LoggerFactory.getLogger(WebSocketRelay.class);

	/** Frames of the application asked for before the visitor took the first. */
	private static final int IN_FLIGHT = 4;

	/**
	 * How long the application has to answer a close the edge relayed before the stream is
	 * reset: the close handshake must not keep a stream open for ever.
	 */
	private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

	/** Close reasons are at most 123 bytes (RFC 6455 5.5.1); the edge's own are kept shorter. */
	private static final int MAX_REASON = 100;

	private final WebSocketStream tunnel;

	private final Channel stream;

	private final String host;

	private final String ray;

	private final Runnable onClosed;

	private final Visitor visitor;

	// On the visitor's event loop.

	/** The last write to the tunnel stream of the visitor's current read. */
	private @Nullable ChannelFuture lastWrite;

	/** The first close the visitor sent or was sent, or {@code null}. */
	private @Nullable WebSocketCloseStatus visitorClose;

	private boolean closeSentToVisitor;

	// On the stream's event loop.

	private boolean closeSentToAgent;

	/**
	 * @param tunnel the open WebSocket's tunnel stream, accepted by the application
	 * @param onClosed called once the visitor's connection closed
	 */
	WebSocketRelay(Visitor visitor, WebSocketStream tunnel, String host, String ray, Runnable onClosed) {
		this.visitor = visitor;
		this.tunnel = tunnel;
		this.stream = Objects.requireNonNull(tunnel.streamChannel(), "the tunnel stream is open");
		this.host = host;
		this.ray = ray;
		this.onClosed = onClosed;
	}

	/** Starts relaying; pings the visitor at {@code pingInterval} unless {@code null}. */
	void start(@Nullable Duration pingInterval) {
		// Whatever ends the visitor's side, the stream does not outlive it by more than the close timeout.
		this.visitor.ended().addListener((closed) -> visitorEnded());
		this.tunnel.receive(this);
		this.tunnel.request(IN_FLIGHT);
		if (pingInterval != null) {
			WebSocketKeepAlive.start(this.visitor, pingInterval);
		}
		this.visitor.readMore();
	}

	// The visitor's frames, on its event loop.

	/** A frame the visitor sent. */
	void visitorFrame(WebSocketFrame frame) {
		if (this.closeSentToVisitor) {
			frame.release();
			return;
		}
		if (frame instanceof CloseWebSocketFrame close) {
			// Answered at once with the same close, as Reactor Netty did; the application gets it as the connection closes.
			this.visitorClose = statusOf(close);
			sendCloseToVisitor(new CloseWebSocketFrame(true, close.rsv(), close.content()));
			return;
		}
		if (WebSocketKeepAlive.isAnswer(frame)) {
			// The answer to the edge's own keep-alive ping: not the application's business.
			frame.release();
			return;
		}
		this.lastWrite = this.stream.write(frame);
	}

	/** The visitor's read ended: once its frames are written to the tunnel, the visitor may send more. */
	void visitorReadComplete() {
		ChannelFuture last = this.lastWrite;
		this.lastWrite = null;
		if (this.closeSentToVisitor) {
			return;
		}
		if (last == null) {
			this.visitor.readMore();
			return;
		}
		this.stream.flush();
		last.addListener((written) -> {
			if (written.isSuccess()) {
				this.visitor.readMore();
			}
			else {
				logger.debug("Cannot write a WebSocket frame to {}", this.stream, written.cause());
			}
		});
	}

	/** The visitor's side failed (a frame it sent broke the protocol, say): it is logged, and its side ends. */
	void visitorFailed(Throwable cause) {
		logger.debug("WebSocket {} for {}: the visitor's side failed", this.ray, LogText.escape(this.host), cause);
	}

	private void sendCloseToVisitor(CloseWebSocketFrame close) {
		if (this.closeSentToVisitor) {
			close.release();
			return;
		}
		this.closeSentToVisitor = true;
		if (this.visitorClose == null) {
			this.visitorClose = statusOf(close);
		}
		this.visitor.closeWith(close);
	}

	/**
	 * The visitor's connection closed. After a close (the visitor's, or the agent's it was sent)
	 * the application gets the matching close and the end of the stream; after an abrupt
	 * disconnect, the stream is reset, which ends the application's session at once.
	 */
	private void visitorEnded() {
		this.onClosed.run();
		WebSocketCloseStatus visitorClose = this.visitorClose;
		this.tunnel.discard();
		this.stream.eventLoop().execute(() -> {
			if (!this.stream.isActive() || this.closeSentToAgent) {
				return;
			}
			WebSocketCloseStatus agentClose = this.tunnel.agentClose();
			WebSocketCloseStatus close = (agentClose != null) ? agentClose : visitorClose;
			if (close == null || close.code() == WebSocketCloseStatus.ABNORMAL_CLOSURE.code()) {
				logger.debug("WebSocket {} for {}: the visitor went away without a close; resetting the stream",
						this.ray, LogText.escape(this.host));
				this.stream.close();
				return;
			}
			this.closeSentToAgent = true;
			this.stream.write((close.code() == WebSocketCloseStatus.EMPTY.code())
					? new CloseWebSocketFrame(true, 0, Unpooled.EMPTY_BUFFER)
					: new CloseWebSocketFrame(close.code(), close.reasonText()));
			this.stream.writeAndFlush(new DefaultHttp2DataFrame(true));
			this.stream.eventLoop().schedule(() -> {
				if (this.stream.isActive()) {
					this.stream.close();
				}
			}, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		});
	}

	// The application's frames, on the stream's event loop.

	@Override
	public void next(Object message) {
		this.visitor.write((WebSocketFrame) message).addListener((written) -> {
			if (written.isSuccess()) {
				this.tunnel.request(1);
			}
		});
	}

	@Override
	public void end(@Nullable Throwable failure) {
		this.visitor.executor().execute(() -> agentEnded(failure));
	}

	/**
	 * The agent's frames ended: the visitor gets the agent's close, or, when the tunnel failed,
	 * one that says so. Nothing happens when the visitor was sent a close already.
	 */
	private void agentEnded(@Nullable Throwable failure) {
		if (this.closeSentToVisitor || !this.visitor.isActive()) {
			return;
		}
		WebSocketCloseStatus agentClose = this.tunnel.agentClose();
		if (agentClose != null) {
			sendCloseToVisitor((agentClose.code() == WebSocketCloseStatus.EMPTY.code()) ? new CloseWebSocketFrame()
					: new CloseWebSocketFrame(agentClose.code(), agentClose.reasonText()));
			return;
		}
		if (this.tunnel.connectionClosed()) {
			logger.debug("WebSocket {} for {}: tunnel connection closed; closing it with 1001", this.ray,
					LogText.escape(this.host));
			sendCloseToVisitor(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(),
					"Origin went away: tunnel connection closed"));
			return;
		}
		String cause = (failure != null) ? String.valueOf(failure.getMessage())
				: "the application ended the stream without a close frame";
		FailedRequests.aborted("WebSocket", this.ray, this.host, cause + "; closing it with 1011");
		sendCloseToVisitor(new CloseWebSocketFrame(WebSocketCloseStatus.INTERNAL_SERVER_ERROR.code(),
				truncate("Origin failed: " + cause)));
	}

	private static WebSocketCloseStatus statusOf(CloseWebSocketFrame close) {
		int code = close.statusCode();
		return (code < 0) ? WebSocketCloseStatus.EMPTY : new WebSocketCloseStatus(code, close.reasonText(), false);
	}

	private static String truncate(String reason) {
		return (reason.length() <= MAX_REASON) ? reason : reason.substring(0, MAX_REASON);
	}

}
