package dev.warp.sample;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Sends the request body back as it arrives, so that a body of any size crosses the
 * tunnel in both directions at once without being held in memory.
 */
@RestController
class EchoController {

	@PostMapping("/echo")
	ResponseEntity<Flux<DataBuffer>> echo(ServerHttpRequest request) {
		HttpHeaders requestHeaders = request.getHeaders();
		MediaType contentType = requestHeaders.getContentType();
		ResponseEntity.BodyBuilder response = ResponseEntity.ok()
			.contentType((contentType != null) ? contentType : MediaType.APPLICATION_OCTET_STREAM);
		// The body is the same bytes, so a known length holds for the response too.
		long contentLength = requestHeaders.getContentLength();
		if (contentLength >= 0) {
			response.contentLength(contentLength);
		}
		return response.body(request.getBody());
	}

}
