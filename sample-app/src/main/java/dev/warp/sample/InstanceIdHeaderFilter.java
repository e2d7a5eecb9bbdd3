package dev.warp.sample;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Stamps every response with the instance id, so that a visitor can tell which replica
 * answered and that the application's filters run for tunneled requests.
 */
@Component
class InstanceIdHeaderFilter implements WebFilter {

	static final String HEADER = "X-Sample-Filter";

	private final SampleProperties properties;

	InstanceIdHeaderFilter(SampleProperties properties) {
		this.properties = properties;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		// Set just before commit so that error handling, which may reset the response,
		// cannot drop it.
		exchange.getResponse().beforeCommit(() -> {
			exchange.getResponse().getHeaders().set(HEADER, this.properties.getInstanceId());
			return Mono.empty();
		});
		return chain.filter(exchange);
	}

}
