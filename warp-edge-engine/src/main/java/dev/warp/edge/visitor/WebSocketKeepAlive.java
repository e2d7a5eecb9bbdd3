package dev.warp.edge.visitor;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Pings the visitor of an open WebSocket at a fixed interval, so that a WebSocket with no
 * traffic for hours survives the idle timeouts of whatever sits between the visitor and the
 * edge (NATs, load balancers, proxies). The visitor's pongs to these pings carry the edge's own
 * payload and stop at the edge: the application never sees them. (The tunnel leg needs no such
 * thing: the tunnel connection's HTTP/2 PINGs keep it alive.)
 */
public final class WebSocketKeepAlive {

	private static final byte[] PAYLOAD = "warp-keepalive".getBytes(StandardCharsets.US_ASCII);

	private WebSocketKeepAlive() {
	}

	/** Starts pinging the visitor of a relayed WebSocket until its side ends. */
	static void start(WebSocketRelay.Visitor visitor, Duration interval) {
		long nanos = interval.toNanos();
		ScheduledFuture<?> pings = visitor.executor().scheduleAtFixedRate(() -> {
			if (visitor.isActive()) {
				visitor.write(new PingWebSocketFrame(Unpooled.wrappedBuffer(PAYLOAD)));
			}
		}, nanos, nanos, TimeUnit.NANOSECONDS);
		visitor.ended().addListener((ended) -> pings.cancel(false));
	}

	/** Whether the frame is the visitor's answer to one of the edge's keep-alive pings. */
	static boolean isAnswer(WebSocketFrame frame) {
		if (!(frame instanceof PongWebSocketFrame)) {
			return false;
		}
		ByteBuf content = frame.content();
		return content.readableBytes() == PAYLOAD.length
				&& ByteBufUtil.equals(content, content.readerIndex(), Unpooled.wrappedBuffer(PAYLOAD), 0, PAYLOAD.length);
	}

}
