package dev.warp.edge.tunnel;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;

/**
 * An HTTP/2 connection whose streams each carry one request and its response: a tunnel
 * connection to an agent, or a connection to another edge node's peer listener. A
 * {@link TunnelResponse} reads the response on either.
 */
public interface StreamConnection {

	/** Names the connection in logs and in a retry's reason. */
	String id();

	/** Whether the calling thread is the connection's event loop: a stream opens there without a hop. */
	boolean isOnCurrentEventLoop();

	/**
	 * Opens a stream for one request; its channel does not read by itself ({@code AUTO_READ} off).
	 * @param wakeUp whether the connection's event loop, when it is another thread's, is woken for
	 * it now; without, the caller wakes it ({@link #wakeUp()}) once for the streams of one read
	 */
	Future<Http2StreamChannel> openStream(ChannelHandler handler, boolean wakeUp);

	/** Wakes the connection's event loop for the streams opened without waking it. */
	void wakeUp();

}
