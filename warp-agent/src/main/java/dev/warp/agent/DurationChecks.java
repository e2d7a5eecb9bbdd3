package dev.warp.agent;

import java.time.Duration;

/** The checks the settings' durations pass, with the name of the setting in the message. */
final class DurationChecks {

	private DurationChecks() {
	}

	static Duration requirePositive(Duration value, String name) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, was " + value);
		}
		return value;
	}

	static Duration requireNotNegative(Duration value, String name) {
		if (value == null || value.isNegative()) {
			throw new IllegalArgumentException(name + " must not be negative, was " + value);
		}
		return value;
	}

}
