package dev.warp.edge.exchange;

import dev.warp.edge.tunnel.ResponseHead;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Headers;
import org.jspecify.annotations.Nullable;

/**
 * The visitor's side of one {@link Exchange}: writes the response in the visitor's protocol
 * (HTTP/1.1 on its connection, HTTP/2 frames on its stream), keeps the response timeout, and
 * paces the visitor's request body. Called on the visitor connection's event loop only.
 */
public interface Visitor {

	/**
	 * Starts the response timeout, which calls {@link Exchange#responseTimedOut} unless stopped
	 * first; if it runs, starts it again from now.
	 */
	void responseTimerStarted();

	/** Stops the response timeout: the head came, or the exchange ended. */
	void responseTimerStopped();

	/**
	 * Writes the agent's response head: with its body and its end when the whole response is here
	 * ({@code whole}), otherwise flushed without waiting for the body (a stream of events shows its
	 * headers before its first event), its body to follow.
	 * @param noBody whether the response has no body whatever the agent sent (a {@code HEAD}, a
	 * {@code 204}, a {@code 304})
	 * @param whole whether the response ends with this head and {@code content}
	 * @param content the whole body, or {@code null} for none; owned from here
	 * @throws IllegalArgumentException for a header the visitor's protocol cannot carry, before
	 * anything was written
	 */
	void writeHead(ResponseHead head, boolean noBody, boolean whole, @Nullable ByteBuf content);

	/** Writes a part of the response's body, unflushed ({@link #flushSoon}). */
	void writeContent(ByteBuf content);

	/** Writes the end of the response's body, with the agent's trailers if it sent any. */
	void writeEnd(@Nullable Http2Headers trailers);

	/** Writes one of the edge's own error responses ({@link EdgeErrors}), whole. */
	void writeError(HttpResponseStatus status, String cause);

	/** Ends a response that started but cannot finish: the visitor must not take it for whole. */
	void abort();

	/** Whether the visitor takes more of the response's body now. */
	boolean writable();

	/** Flushes the visitor's writes once this event-loop turn's writes are done: they leave in one flush. */
	void flushSoon();

	/** The response was written whole (or aborted, for HTTP/2): the visitor's protocol goes on. */
	void exchangeEnded();

	/**
	 * The request's body is refused before it ended: what still comes of it is not read as a
	 * request, for a visitor protocol that cannot tell where it ends.
	 */
	default void bodyRefused() {
	}

	/**
	 * These bytes of the request's body came from the visitor; each of them is then either
	 * {@link #bodyWritten written} or {@link #bodyDropped dropped}.
	 */
	default void bodyReceived(int bytes) {
	}

	/**
	 * These bytes of the request's body were written to the tunnel stream, on the stream's loop
	 * when {@code written} completes (whether it succeeded or not).
	 */
	default void bodyWritten(ChannelFuture written, int bytes) {
	}

	/** These bytes of the request's body were dropped: the exchange ended first. */
	default void bodyDropped(int bytes) {
	}

}
