package dev.warp.test;

import java.time.Duration;
import java.util.Map;

import reactor.core.publisher.Flux;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;

/**
 * An application to test through the edge: {@code GET /hello}, {@code GET /events} (three
 * Server-Sent Events) and a WebSocket echo at {@code /ws/echo}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class EdgeTestApplication {

	@Bean
	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route()
			.GET("/hello", (request) -> ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue("hello"))
			.GET("/events",
					(request) -> ServerResponse.ok()
						.contentType(MediaType.TEXT_EVENT_STREAM)
						.body(Flux.range(0, 3).delayElements(Duration.ofMillis(50)).map((i) -> "event-" + i),
								String.class))
			.build();
	}

	@Bean
	HandlerMapping webSocketMapping() {
		WebSocketHandler echo = (session) -> session.send(session.receive()
			.map((message) -> session.textMessage("echo: " + message.getPayloadAsText())));
		return new SimpleUrlHandlerMapping(Map.of("/ws/echo", echo), -1);
	}

}
