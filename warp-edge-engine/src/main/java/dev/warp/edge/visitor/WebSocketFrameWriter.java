package dev.warp.edge.visitor;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.SignalType;

/**
 * Sends the visitor's WebSocket frames down the tunnel stream, pings and pongs included. A few
 * frames are in flight at most: the next is requested only once a write completed, which HTTP/2
 * flow control holds back while the application does not read, so a slow application slows the
 * visitor instead of filling the edge's heap.
 */
public final class WebSocketFrameWriter extends BaseSubscriber<WebSocketFrame> {

	private static final Logger logger = LoggerFactory.getLogger(WebSocketFrameWriter.class);

	/** Frames requested from the visitor before the first write completed. */
	private static final int IN_FLIGHT = 4;

	private final Channel stream;

	private final Runnable onEnd;

	/**
	 * @param stream the tunnel stream, with the WebSocket frame encoder in its pipeline
	 * @param onEnd called once when the visitor's frames ended, whatever the reason
	 */
	WebSocketFrameWriter(Channel stream, Runnable onEnd) {
		this.stream = stream;
		this.onEnd = onEnd;
	}

	@Override
	protected void hookOnSubscribe(Subscription subscription) {
		request(IN_FLIGHT);
	}

	@Override
	protected void hookOnNext(WebSocketFrame frame) {
		if (WebSocketKeepAlive.isAnswer(frame)) {
			// The answer to the edge's own keep-alive ping: not the application's business.
			request(1);
			return;
		}
		// The visitor's connection releases the frame after onNext; the write owns one more reference.
		this.stream.writeAndFlush(frame.retain()).addListener((future) -> {
			if (future.isSuccess()) {
				request(1);
			}
			else {
				logger.debug("Cannot write a WebSocket frame to {}", this.stream, future.cause());
				cancel();
			}
		});
	}

	@Override
	protected void hookFinally(SignalType type) {
		this.onEnd.run();
	}

}
