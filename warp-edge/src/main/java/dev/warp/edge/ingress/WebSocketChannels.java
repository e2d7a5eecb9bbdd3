package dev.warp.edge.ingress;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Tells which channels carry a WebSocket: the visitor's connection (or its HTTP/2 stream) and
 * the tunnel stream of every WebSocket the edge relays. A WebSocket may stay silent for hours,
 * so an idle or read timeout meant for ordinary requests must leave these channels alone; the
 * tunnel connection's HTTP/2 PINGs keep the connection under them alive.
 */
public final class WebSocketChannels {

	private static final AttributeKey<Boolean> WEBSOCKET = AttributeKey.valueOf(WebSocketChannels.class, "websocket");

	private WebSocketChannels() {
	}

	/** Whether the channel carries a WebSocket: a visitor's upgraded connection or stream, or a tunnel stream. */
	public static boolean isWebSocket(Channel channel) {
		return Boolean.TRUE.equals(channel.attr(WEBSOCKET).get());
	}

	static void mark(Channel channel) {
		channel.attr(WEBSOCKET).set(Boolean.TRUE);
	}

}
