package dev.warp.sample.tunnel;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * Test-only endpoints that show what the application saw of a tunneled request, byte for byte,
 * and that make it misbehave on purpose.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TunnelProbeConfiguration {

	@Bean
	SlowPosts slowPosts() {
		return new SlowPosts();
	}

	@Bean
	RouterFunction<ServerResponse> probeRoutes(SlowPosts slowPosts) {
		return route().POST("/probe/slow-post", (request) -> {
			slowPosts.started.incrementAndGet();
			return request.bodyToMono(String.class)
				.delayElement(Duration.ofSeconds(2))
				.flatMap((body) -> ServerResponse.ok().bodyValue("done " + body));
		}).GET("/probe/request", (request) -> {
			Map<String, Object> seen = new LinkedHashMap<>();
			seen.put("rawPath", request.exchange().getRequest().getURI().getRawPath());
			seen.put("rawQuery", request.exchange().getRequest().getURI().getRawQuery());
			seen.put("scheme", request.exchange().getRequest().getURI().getScheme());
			seen.put("remoteAddress", request.remoteAddress().map((a) -> a.getAddress().getHostAddress()).orElse(null));
			Map<String, List<String>> headers = new LinkedHashMap<>();
			request.headers().asHttpHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values));
			seen.put("headers", headers);
			Map<String, String> cookies = new LinkedHashMap<>();
			request.cookies().forEach((name, values) -> cookies.put(name, values.get(0).getValue()));
			seen.put("cookies", cookies);
			return ServerResponse.ok().bodyValue(seen);
		})
			.GET("/probe/no-content", (request) -> ServerResponse.noContent().build())
			.GET("/probe/etag", (request) -> request.checkNotModified("\"v1\"")
				.switchIfEmpty(Mono.defer(() -> ServerResponse.ok().eTag("\"v1\"").bodyValue("fresh"))))
			.GET("/probe/status/{code}", (request) -> ServerResponse
				.status(HttpStatus.valueOf(Integer.parseInt(request.pathVariable("code"))))
				.bodyValue("status " + request.pathVariable("code")))
			.GET("/probe/reset", (request) -> {
				// Close the HTTP/2 stream under the response: the edge sees RST_STREAM, no headers.
				AbstractServerHttpRequest native_ = (AbstractServerHttpRequest) request.exchange().getRequest();
				reactor.netty.http.server.HttpServerRequest netty = native_.getNativeRequest();
				netty.withConnection((connection) -> connection.channel().close());
				return Mono.never();
			})
			.build();
	}

	/** Counts how often the slow POST reached the application: a retried POST would show twice. */
	public static class SlowPosts {

		private final AtomicInteger started = new AtomicInteger();

		public int started() {
			return this.started.get();
		}

	}

}
