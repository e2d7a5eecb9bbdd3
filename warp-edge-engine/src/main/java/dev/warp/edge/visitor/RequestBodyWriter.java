package dev.warp.edge.visitor;

import dev.warp.edge.tunnel.TunnelResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BaseSubscriber;

/**
 * Streams a visitor's request body onto a tunnel stream as DATA frames. A few chunks are in
 * flight at most: the next is requested only when a write has completed, and a write to a
 * stream completes only when HTTP/2 flow control let it out, so a slow agent slows the visitor
 * down instead of filling the edge's heap.
 */
public final class RequestBodyWriter extends BaseSubscriber<ByteBuf> {

	private static final Logger logger = LoggerFactory.getLogger(RequestBodyWriter.class);

	/** Chunks requested from the visitor's connection before the first write completed. */
	private static final int IN_FLIGHT = 4;

	private final Channel stream;

	private final TunnelResponse response;

	private final long limit;

	private long written;

	/**
	 * @param stream the tunnel stream
	 * @param response the stream's response side: hears of activity, and of a body over the limit
	 * @param limit the largest body forwarded, in bytes
	 */
	RequestBodyWriter(Channel stream, TunnelResponse response, long limit) {
		this.stream = stream;
		this.response = response;
		this.limit = limit;
	}

	@Override
	protected void hookOnSubscribe(Subscription subscription) {
		request(IN_FLIGHT);
	}

	@Override
	protected void hookOnNext(ByteBuf chunk) {
		if (!chunk.isReadable()) {
			// Every later request comes from the stream's event loop; this one too, so they stay serial.
			this.stream.eventLoop().execute(() -> request(1));
			return;
		}
		this.written += chunk.readableBytes();
		if (this.written > this.limit) {
			// Nothing of this chunk goes out: the stream is reset and the visitor told 413.
			cancel();
			this.response.abort(new RequestBodyTooLargeException(this.limit));
			return;
		}
		this.response.touch();
		// The visitor's connection releases the chunk after onNext; the frame owns one more reference.
		this.stream.writeAndFlush(new DefaultHttp2DataFrame(chunk.retain(), false)).addListener((future) -> {
			if (future.isSuccess()) {
				request(1);
			}
			else {
				logger.debug("Cannot write a request body chunk to {}", this.stream, future.cause());
				cancel();
			}
		});
	}

	@Override
	protected void hookOnComplete() {
		this.stream.writeAndFlush(new DefaultHttp2DataFrame(true));
	}

	@Override
	protected void hookOnError(Throwable cause) {
		logger.debug("Visitor's request body failed; resetting {}", this.stream, cause);
		// Closing a stream that has not ended sends RST_STREAM(CANCEL): the application sees it.
		this.stream.close();
	}

}
