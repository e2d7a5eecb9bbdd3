package dev.warp.sample;

import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Fails on purpose, so that the application's own exception handling can be seen to run
 * for a tunneled request just as for a direct one.
 */
@RestController
class FailureController {

	@GetMapping("/fail")
	Mono<String> fail() {
		return Mono.error(new DeliberateFailureException("this endpoint always fails"));
	}

}
