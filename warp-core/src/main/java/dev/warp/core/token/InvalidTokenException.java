package dev.warp.core.token;

/**
 * A token that cannot be read: not a Warp token, a version this code does not read, or
 * damaged (truncated, altered). The message says which, never the token's secret.
 */
public final class InvalidTokenException extends IllegalArgumentException {

	InvalidTokenException(String message) {
		super(message);
	}

}
