package dev.warp.agent.internal.connection;

import java.nio.charset.StandardCharsets;

import dev.warp.agent.EdgeAddress;
import dev.warp.core.protocol.ControlMessage;
import dev.warp.core.protocol.TunnelProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The agent's end of a tunnel connection's control stream, which the edge opens right after the
 * HTTP/2 preface: the response registers the hostname, then carries the agent's messages (its
 * readiness, a drain) for the connection's life; the request body carries the edge's. What the
 * edge says is passed to the {@link Events} of the connection.
 */
final class ControlStream {

	private static final Logger logger = LoggerFactory.getLogger(ControlStream.class);

	/** What the edge's messages mean to the connection. */
	interface Events {

		/** The edge accepted the registration. */
		void registered();

		/** The edge asks the connection to drain: it no longer routes to it. */
		void drainAsked();

		/** The edge refused the registration, or the control stream ended while the connection lives. */
		void failed(Throwable error);

		/** The control stream ended, the reason given when it failed. */
		void ended(@Nullable Throwable error);

	}

	private final TunnelContext context;

	private final int index;

	private final EdgeAddress address;

	private final Events events;

	private final Sinks.Many<String> outbound = Sinks.many().unicast().onBackpressureBuffer();

	private final Sinks.One<Void> drainAcknowledged = Sinks.one();

	private volatile @Nullable String edge;

	ControlStream(TunnelContext context, int index, EdgeAddress address, Events events) {
		this.context = context;
		this.index = index;
		this.address = address;
		this.events = events;
	}

	/** The id of the edge node at the other end, once the control stream opened. */
	@Nullable String edge() {
		return this.edge;
	}

	/**
	 * Answers the edge's control stream with the registration, keeps the response open for the
	 * connection's life and reads the edge's messages from the request body.
	 * @param loop the connection's event loop, on which readiness changes are sent
	 * @param closed completes when the connection has closed
	 */
	Mono<Void> serve(HttpServerRequest request, HttpServerResponse response, EventLoop loop, Mono<Void> closed) {
		this.edge = request.requestHeaders().get(TunnelProtocol.EDGE_NODE_HEADER, "unknown");
		boolean ready = this.context.readiness().isAcceptingTraffic();
		send(ControlMessage.of(ControlMessage.REGISTER)
			.with("hostname", this.context.settings().hostname())
			.with("agent", this.context.settings().agentId())
			.with("connection", this.index)
			.with("version", TunnelProtocol.VERSION)
			.with(ControlMessage.READY_ATTRIBUTE, ready));
		// From here on the edge hears of every change of the application's readiness.
		Disposable readiness = this.context.readiness().follow(ready, loop, this::send);
		closed.subscribe(null, null, readiness::dispose);
		ControlLineDecoder decoder = new ControlLineDecoder();
		request.receive()
			.asString(StandardCharsets.UTF_8)
			.concatMapIterable(decoder::decode)
			.subscribe(this::onEdgeMessage, this.events::ended, () -> this.events.ended(null));
		Flux<ByteBuf> lines = this.outbound.asFlux()
			.map((line) -> Unpooled.wrappedBuffer(line.getBytes(StandardCharsets.UTF_8)));
		return response.status(200)
			.header("content-type", "text/plain; charset=utf-8")
			.send(lines, (buffer) -> true)
			.then()
			.doFinally((signal) -> this.events.ended(null));
	}

	/** Sends a message to the edge (kept until the control stream opens). */
	void send(ControlMessage message) {
		this.outbound.tryEmitNext(message.encode());
	}

	/** Completes when the edge acknowledged a {@code drain} this end sent. */
	Mono<Void> drainAcknowledged() {
		return this.drainAcknowledged.asMono();
	}

	/** Sends nothing more: the connection closed. */
	void close() {
		this.outbound.tryEmitComplete();
	}

	private void onEdgeMessage(ControlMessage message) {
		switch (message.type()) {
			case ControlMessage.REGISTERED -> this.events.registered();
			case ControlMessage.REFUSED -> this.events.failed(new RegistrationRefusedException("The edge " + this.edge
					+ " at " + this.address + " refused to register " + this.context.settings().hostname() + ": "
					+ message.get(ControlMessage.REASON_ATTRIBUTE)));
			case ControlMessage.DRAIN_ACK -> this.drainAcknowledged.tryEmitEmpty();
			case ControlMessage.DRAIN -> {
				logger.info("Edge {} asked tunnel connection {} to drain", this.edge, this.index);
				this.events.drainAsked();
			}
			default -> logger.debug("Ignoring control message of unknown type from edge {}: {}", this.edge, message);
		}
	}

}
