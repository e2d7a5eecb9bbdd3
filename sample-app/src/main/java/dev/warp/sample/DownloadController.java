package dev.warp.sample;

import java.nio.ByteBuffer;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Streams a body of any requested size, so that large downloads through the tunnel can be
 * checked for exact length and bounded memory on both ends.
 */
@RestController
class DownloadController {

	static final int CHUNK_SIZE = 64 * 1024;

	/**
	 * Largest size served: far beyond any test, small enough to reject a typo.
	 */
	static final long MAX_SIZE = 16L * 1024 * 1024 * 1024;

	/**
	 * Every chunk is a view of this one buffer: it is read-only, so sharing it between
	 * concurrent downloads is safe, and the body is never held in memory.
	 */
	private static final ByteBuffer CHUNK = createChunk();

	@GetMapping("/download")
	ResponseEntity<Flux<DataBuffer>> download(@RequestParam long size, ServerHttpResponse response) {
		if (size < 0 || size > MAX_SIZE) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"size must be between 0 and " + MAX_SIZE + " bytes");
		}
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.contentLength(size)
			.body(chunks(size, response.bufferFactory()));
	}

	/**
	 * Chunks of the body, generated one at a time as the client's demand allows.
	 * @param size the total number of bytes
	 * @param bufferFactory the factory of the response, so that wrapping needs no copy
	 * @return the chunks
	 */
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

	private static ByteBuffer createChunk() {
		byte[] bytes = new byte[CHUNK_SIZE];
		for (int i = 0; i < bytes.length; i++) {
			bytes[i] = (byte) i;
		}
		return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
	}

}
