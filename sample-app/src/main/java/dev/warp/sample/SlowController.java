package dev.warp.sample;

import java.time.Duration;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Answers after a delay, so that timeouts, draining on shutdown and many concurrent
 * pending requests can be shown. The delay runs on a timer: no thread waits for it.
 */
@RestController
class SlowController {

	static final Duration MAX_DELAY = Duration.ofMinutes(10);

	@GetMapping(path = "/slow", produces = MediaType.TEXT_PLAIN_VALUE)
	Mono<String> slow(@RequestParam long ms) {
		if (ms < 0 || ms > MAX_DELAY.toMillis()) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"ms must be between 0 and " + MAX_DELAY.toMillis());
		}
		return Mono.delay(Duration.ofMillis(ms)).thenReturn("ok");
	}

}
