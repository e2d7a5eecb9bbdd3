package dev.warp.autoconfigure.test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** A WebFlux application with one endpoint, {@code GET /hello}, and every auto-configuration. */
@SpringBootConfiguration
@EnableAutoConfiguration
class TestApplication {

	@Bean
	RouterFunction<ServerResponse> hello() {
		return RouterFunctions.route()
			.GET("/hello", (request) -> ServerResponse.ok().bodyValue("hello"))
			.build();
	}

}
