package dev.warp.sample;

import java.util.Map;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;

/**
 * Maps the WebSocket endpoints. WebFlux has no annotation model for WebSocket handlers,
 * so they are mapped by URL, ahead of the annotated controllers.
 */
@Configuration(proxyBeanMethods = false)
class WebSocketConfiguration {

	@Bean
	HandlerMapping webSocketHandlerMapping() {
		return new SimpleUrlHandlerMapping(Map.of("/ws/echo", new EchoWebSocketHandler()), Ordered.HIGHEST_PRECEDENCE);
	}

}
