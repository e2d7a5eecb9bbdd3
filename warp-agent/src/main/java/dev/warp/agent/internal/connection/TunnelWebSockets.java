package dev.warp.agent.internal.connection;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.channel.ChannelOperations;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * The WebSockets open on each tunnel connection, so that a connection that drains closes them
 * with {@code 1001 Going Away} instead of waiting out its grace period for them: a WebSocket
 * has no natural end the way a request does.
 *
 * <p>A WebSocket is a tunnel stream that Reactor Netty upgraded (RFC 8441 extended CONNECT);
 * it is registered once the application accepted the handshake and leaves when its stream closes.
 */
final class TunnelWebSockets {

	private static final Logger logger = LoggerFactory.getLogger(TunnelWebSockets.class);

	private static final AttributeKey<Set<Channel>> OPEN = AttributeKey.valueOf(TunnelWebSockets.class, "open");

	private static final AttributeKey<String> GOING_AWAY = AttributeKey.valueOf(TunnelWebSockets.class, "goingAway");

	private TunnelWebSockets() {
	}

	/**
	 * A WebSocket opened on the stream. On a connection that is going away already it is closed
	 * at once: the edge sent the handshake before it heard of the drain.
	 */
	static void opened(Channel stream) {
		Channel connection = stream.parent();
		if (connection == null) {
			return;
		}
		Set<Channel> open = open(connection);
		open.add(stream);
		stream.closeFuture().addListener((closed) -> open.remove(stream));
		String reason = connection.attr(GOING_AWAY).get();
		if (reason != null) {
			goAway(stream, reason);
		}
	}

	/** WebSockets open on the connection right now. */
	static int count(Channel connection) {
		Set<Channel> open = connection.attr(OPEN).get();
		return (open != null) ? open.size() : 0;
	}

	/**
	 * Closes every WebSocket of the connection with {@code 1001 Going Away}, and every one
	 * opened on it later. Idempotent.
	 * @param reason the close reason the visitor sees (at most 123 bytes of UTF-8)
	 */
	static void goingAway(Channel connection, String reason) {
		if (connection.attr(GOING_AWAY).setIfAbsent(reason) != null) {
			return;
		}
		List<Channel> streams = new ArrayList<>(open(connection));
		if (!streams.isEmpty()) {
			logger.info("Closing {} WebSocket(s) on a draining tunnel connection with 1001 ({})",
					streams.size(), reason);
		}
		streams.forEach((stream) -> goAway(stream, reason));
	}

	private static void goAway(Channel stream, String reason) {
		@Nullable ChannelOperations<?, ?> operations = ChannelOperations.get(stream);
		if (operations instanceof WebsocketOutbound websocket) {
			websocket.sendClose(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), reason)
				.subscribe(null, (error) -> stream.close());
		}
		else {
			stream.close();
		}
	}

	private static Set<Channel> open(Channel connection) {
		Set<Channel> open = connection.attr(OPEN).get();
		if (open == null) {
			Set<Channel> created = ConcurrentHashMap.newKeySet();
			open = connection.attr(OPEN).setIfAbsent(created);
			if (open == null) {
				open = created;
			}
		}
		return open;
	}

}
