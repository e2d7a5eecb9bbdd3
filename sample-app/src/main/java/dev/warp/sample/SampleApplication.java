package dev.warp.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * A small WebFlux application that shows every feature of the tunnel: plain text, JSON,
 * streamed bodies in both directions, Server-Sent Events, slow responses, WebSockets,
 * filters and exception handlers. It knows nothing about Warp: the starter on its class
 * path and {@code warp.hostname} in its configuration are all it takes.
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
