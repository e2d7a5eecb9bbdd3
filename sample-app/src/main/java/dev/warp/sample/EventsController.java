package dev.warp.sample;

import java.time.Duration;

import reactor.core.publisher.Flux;

import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A stream of Server-Sent Events, spaced out in time, so that a visitor can see each one
 * arrive through the tunnel as it is sent rather than all at the end.
 */
@RestController
class EventsController {

	static final int EVENT_COUNT = 10;

	static final Duration INTERVAL = Duration.ofMillis(200);

	@GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	Flux<ServerSentEvent<String>> events() {
		return Flux.interval(INTERVAL)
			.take(EVENT_COUNT)
			.map((tick) -> tick + 1)
			.map((number) -> ServerSentEvent.builder("event " + number).id(Long.toString(number)).build());
	}

}
