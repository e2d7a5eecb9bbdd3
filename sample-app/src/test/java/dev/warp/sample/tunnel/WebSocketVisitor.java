package dev.warp.sample.tunnel;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * A visitor's WebSocket, driven step by step: Reactor Netty's WebSocket client with pings and
 * pongs delivered (not answered) so that a test sees them. Every frame received is copied into
 * a queue; the close status the server sent is kept.
 */
final class WebSocketVisitor implements AutoCloseable {

	/** A received frame: its type (the Netty class's simple name) and its payload. */
	record Frame(String type, byte[] payload) {

		String text() {
			return new String(this.payload, StandardCharsets.UTF_8);
		}

	}

	private final Connection connection;

	private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

	private final Sinks.One<WebSocketCloseStatus> closeStatus = Sinks.one();

	private WebSocketVisitor(Connection connection) {
		this.connection = connection;
		inbound().receiveFrames()
			.subscribe((frame) -> this.frames.add(new Frame(frame.getClass().getSimpleName(),
					ByteBufUtil.getBytes(frame.content()))));
		inbound().receiveCloseStatus().subscribe(this.closeStatus::tryEmitValue);
	}

	/** Opens a WebSocket to {@code path} of {@code host} through the client, asking for the subprotocols. */
	static WebSocketVisitor open(HttpClient client, String host, String path, String... subprotocols) {
		WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder().handlePing(true);
		if (subprotocols.length > 0) {
			spec.protocols(String.join(",", subprotocols));
		}
		Connection connection = client.headers((headers) -> headers.set(HttpHeaderNames.HOST, host))
			.websocket(spec.build())
			.uri(path)
			.connect()
			.block(Duration.ofSeconds(20));
		return new WebSocketVisitor(connection);
	}

	WebsocketInbound inbound() {
		return (WebsocketInbound) this.connection;
	}

	WebsocketOutbound outbound() {
		return (WebsocketOutbound) this.connection;
	}

	/** The headers of the server's handshake response. */
	HttpHeaders handshakeHeaders() {
		return ((HttpClientResponse) this.connection).responseHeaders();
	}

	@Nullable String subprotocol() {
		return inbound().selectedSubprotocol();
	}

	void sendText(String text) {
		send(new TextWebSocketFrame(text));
	}

	void sendBinary(byte[] bytes) {
		send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
	}

	void sendPing(byte[] payload) {
		send(new PingWebSocketFrame(Unpooled.wrappedBuffer(payload)));
	}

	void send(WebSocketFrame frame) {
		outbound().sendObject(Mono.just(frame)).then().block(Duration.ofSeconds(10));
	}

	/** Sends a close frame; the connection closes once the server answered. */
	void close(int code, String reason) {
		outbound().sendClose(code, reason).block(Duration.ofSeconds(10));
	}

	/** Closes the TCP connection without a close frame. */
	void abort() {
		this.connection.channel().close().syncUninterruptibly();
	}

	/** The next frame received, waiting at most {@code timeout}; {@code null} when none came. */
	@Nullable Frame next(Duration timeout) throws InterruptedException {
		return this.frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** The close status the server sent, waiting at most {@code timeout}. */
	@Nullable WebSocketCloseStatus closeStatus(Duration timeout) {
		return this.closeStatus.asMono().timeout(timeout, Mono.empty()).block();
	}

	@Override
	public void close() {
		this.connection.dispose();
	}

}
