package dev.warp.bench;

import java.nio.ByteBuffer;
import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The benchmark's endpoints. Bodies are streamed and released as they pass: nothing is held
 * whole, whatever the size.
 */
@RestController
class BenchController {

	private static final int CHUNK_SIZE = 64 * 1024;

	private static final long MAX_SIZE = 64L * 1024 * 1024 * 1024;

	private static final Duration MAX_DELAY = Duration.ofMinutes(10);

	/** Read-only, so every download can send views of it. */
	private static final ByteBuffer CHUNK = ByteBuffer.allocateDirect(CHUNK_SIZE).asReadOnlyBuffer();

	@GetMapping(path = "/small", produces = MediaType.TEXT_PLAIN_VALUE)
	String small() {
		return "hello";
	}

	@PostMapping(path = "/small", produces = MediaType.TEXT_PLAIN_VALUE)
	Mono<String> smallPost(ServerHttpRequest request) {
		return count(request).thenReturn("ok");
	}

	@PostMapping(path = "/sink", produces = MediaType.TEXT_PLAIN_VALUE)
	Mono<String> sink(ServerHttpRequest request) {
		return count(request).map(String::valueOf);
	}

	@GetMapping("/bytes")
	ResponseEntity<Flux<DataBuffer>> bytes(@RequestParam long size, ServerHttpResponse response) {
		if (size < 0 || size > MAX_SIZE) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "size must be between 0 and " + MAX_SIZE);
		}
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.contentLength(size)
			.body(chunks(size, response.bufferFactory()));
	}

	@GetMapping(path = "/poll", produces = MediaType.TEXT_PLAIN_VALUE)
	Mono<String> poll(@RequestParam long ms) {
		if (ms < 0 || ms > MAX_DELAY.toMillis()) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "ms must be between 0 and " + MAX_DELAY.toMillis());
		}
		return Mono.delay(Duration.ofMillis(ms)).thenReturn("ok");
	}

	/** Reads the whole body, releasing every buffer as it arrives; emits the byte count. */
	private static Mono<Long> count(ServerHttpRequest request) {
		return request.getBody().reduce(0L, (total, buffer) -> {
			long length = buffer.readableByteCount();
			DataBufferUtils.release(buffer);
			return total + length;
		});
	}

	private static Flux<DataBuffer> chunks(long size, DataBufferFactory bufferFactory) {
		return Flux.generate(() -> size, (remaining, sink) -> {
			if (remaining == 0) {
				sink.complete();
				return 0L;
			}
			int length = (int) Math.min(CHUNK_SIZE, remaining);
			sink.next(bufferFactory.wrap(CHUNK.slice(0, length)));
			return remaining - length;
		});
	}

}
