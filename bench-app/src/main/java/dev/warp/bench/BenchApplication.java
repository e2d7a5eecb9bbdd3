package dev.warp.bench;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application {@code bench/run.sh} measures: trivial handlers, so that what is measured
 * is the path to them (direct, a proxy, a tunnel), not the handlers themselves. It knows
 * nothing about Warp: the starter on its class path and {@code warp.hostname} are all.
 */
@SpringBootApplication
public class BenchApplication {

	public static void main(String[] args) {
		SpringApplication.run(BenchApplication.class, args);
	}

}
