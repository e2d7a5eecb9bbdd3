package dev.warp.edge.tunnel;

import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2LocalFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;

/**
 * The HTTP/2 codec of a tunnel connection, the edge as client, whose connection window refills
 * as soon as a response's frames arrive instead of when a visitor took them.
 *
 * <p>A visitor who reads slowly holds its stream's window (1 MiB) of the response at the edge.
 * Counted against the connection's window as well, 32 slow downloads on one connection held all
 * of it, and every other response on the connection waited with them. Each stream's own window
 * is what bounds what it holds: the most one slow visitor costs the edge, as in a proxy that
 * buffers per request.
 */
final class TunnelCodecBuilder extends Http2FrameCodecBuilder {

	TunnelCodecBuilder() {
		Http2Connection connection = new DefaultHttp2Connection(false);
		connection.local()
			.flowController(new DefaultHttp2LocalFlowController(connection,
					DefaultHttp2LocalFlowController.DEFAULT_WINDOW_UPDATE_RATIO, true));
		connection(connection);
		// As forClient() has it: a close does not wait for the streams in flight.
		gracefulShutdownTimeoutMillis(0);
	}

}
