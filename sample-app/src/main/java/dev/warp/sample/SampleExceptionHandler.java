package dev.warp.sample;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Maps the sample's own exception to a distinctive status and body, so that it is plain
 * the application handled the error, not the edge or the tunnel.
 */
@RestControllerAdvice
class SampleExceptionHandler {

	/**
	 * 418, a status that nothing else on the path produces. By code, because
	 * {@code HttpStatus.I_AM_A_TEAPOT} is deprecated in Spring Framework 7.
	 */
	static final HttpStatusCode TEAPOT = HttpStatusCode.valueOf(418);

	@ExceptionHandler(DeliberateFailureException.class)
	ResponseEntity<ErrorBody> deliberateFailure(DeliberateFailureException ex, ServerHttpRequest request) {
		return ResponseEntity.status(TEAPOT).body(new ErrorBody(ex.getMessage(), request.getPath().value()));
	}

	record ErrorBody(String error, String path) {
	}

}
