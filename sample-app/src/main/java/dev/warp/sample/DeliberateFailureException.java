package dev.warp.sample;

/**
 * Thrown by {@code /fail}; turned into a {@code 418} by {@link SampleExceptionHandler}.
 */
class DeliberateFailureException extends RuntimeException {

	DeliberateFailureException(String message) {
		super(message);
	}

}
