package dev.warp.sample.tunnel;

import java.time.Duration;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.server.WebFilter;

/**
 * Makes a replica slow: every request waits {@code probe.delay} before the application handles
 * it, on a timer, no thread blocked. Added to a replica with
 * {@code --spring.main.sources=dev.warp.sample.tunnel.SlowReplicaConfiguration}.
 */
@TestConfiguration(proxyBeanMethods = false)
public class SlowReplicaConfiguration {

	@Bean
	WebFilter slowReplicaFilter(@Value("${probe.delay}") Duration delay) {
		return (exchange, chain) -> Mono.delay(delay).then(chain.filter(exchange));
	}

}
