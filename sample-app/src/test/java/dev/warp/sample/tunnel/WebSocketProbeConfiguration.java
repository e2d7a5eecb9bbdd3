package dev.warp.sample.tunnel;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.server.WebFilter;

/**
 * WebSocket endpoints that let a test see the application's side: {@code /ws/probe} echoes
 * messages, closes with {@code close:<code>:<reason>}, pings with {@code ping:<payload>}, and
 * records the pongs it gets and how each session ended;
 * {@code /ws/forbidden} is refused with 403 before any handshake. Add with
 * {@code --spring.main.sources=dev.warp.sample.tunnel.WebSocketProbeConfiguration}.
 */
@TestConfiguration(proxyBeanMethods = false)
public class WebSocketProbeConfiguration {

	@Bean
	WebSocketProbe webSocketProbe() {
		return new WebSocketProbe();
	}

	@Bean
	HandlerMapping webSocketProbeMapping(WebSocketProbe probe) {
		return new SimpleUrlHandlerMapping(Map.of("/ws/probe", probe), Ordered.HIGHEST_PRECEDENCE);
	}

	@Bean
	WebFilter forbiddenWebSocket() {
		return (exchange, chain) -> {
			if (exchange.getRequest().getPath().value().equals("/ws/forbidden")) {
				exchange.getResponse().setStatusCode(HttpStatus.FORBIDDEN);
				return exchange.getResponse().setComplete();
			}
			return chain.filter(exchange);
		};
	}

	/** The application's side of {@code /ws/probe}. */
	public static class WebSocketProbe implements WebSocketHandler {

		/** How each session ended, as the application saw it, in order. */
		final BlockingQueue<CloseStatus> closes = new LinkedBlockingQueue<>();

		/** Payloads of the pongs the application received. */
		final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();

		/** Sessions whose handler has not finished. */
		final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

		@Override
		public Mono<Void> handle(WebSocketSession session) {
			this.open.incrementAndGet();
			session.closeStatus()
				.defaultIfEmpty(CloseStatus.NO_CLOSE_FRAME)
				.subscribe(this.closes::add, (error) -> this.closes.add(CloseStatus.NO_CLOSE_FRAME));
			return session.send(session.receive().concatMap((message) -> reply(session, message)))
				.doFinally((signal) -> this.open.decrementAndGet());
		}

		private Mono<WebSocketMessage> reply(WebSocketSession session, WebSocketMessage message) {
			if (message.getType() == WebSocketMessage.Type.PONG) {
				this.pongs.add(message.getPayloadAsText(StandardCharsets.UTF_8));
				return Mono.empty();
			}
			if (message.getType() == WebSocketMessage.Type.TEXT) {
				String text = message.getPayloadAsText(StandardCharsets.UTF_8);
				if (text.startsWith("ping:")) {
					String payload = text.substring("ping:".length());
					return Mono.just(session.pingMessage((factory) -> factory.wrap(payload.getBytes(StandardCharsets.UTF_8))));
				}
				if (text.startsWith("close:")) {
					String[] parts = text.split(":", 3);
					return session.close(new CloseStatus(Integer.parseInt(parts[1]), parts[2])).then(Mono.empty());
				}
			}
			if (message.getType() == WebSocketMessage.Type.TEXT || message.getType() == WebSocketMessage.Type.BINARY) {
				return Mono.just(message.retain());
			}
			return Mono.empty();
		}

	}

}
