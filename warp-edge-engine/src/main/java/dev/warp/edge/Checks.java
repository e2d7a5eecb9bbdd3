package dev.warp.edge;

import java.time.Duration;

/** The checks every settings builder applies to a value it is given, with the setting's name in the message. */
final class Checks {

	private Checks() {
	}

	static int port(int port) {
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("Invalid port " + port + ": use 0 to 65535 (0 picks a free port)");
		}
		return port;
	}

	static int atLeast(int value, int minimum, String name) {
		if (value < minimum) {
			throw new IllegalArgumentException(name + " must be at least " + minimum + ", was " + value);
		}
		return value;
	}

	static Duration positive(Duration duration, String name) {
		if (duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, was " + duration);
		}
		return duration;
	}

}
