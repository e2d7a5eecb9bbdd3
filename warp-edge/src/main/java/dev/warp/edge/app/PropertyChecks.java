package dev.warp.edge.app;

import java.time.Duration;

import org.springframework.boot.context.properties.PropertyMapper.Source.Adapter;
import org.springframework.util.unit.DataSize;

/**
 * Checks of bound values that name the property at fault, for what the settings' builders would
 * refuse in their own words.
 */
final class PropertyChecks {

	private PropertyChecks() {
	}

	static Adapter<Integer, Integer> atLeastOne(String property, String hint) {
		return (value) -> {
			if (value < 1) {
				throw new IllegalArgumentException(property + " must be at least 1, was " + value + hint);
			}
			return value;
		};
	}

	static Adapter<Duration, Duration> positive(String property) {
		return (value) -> {
			if (value.isNegative() || value.isZero()) {
				throw new IllegalArgumentException(property + " must be positive, was " + value);
			}
			return value;
		};
	}

	static Adapter<DataSize, Integer> intBytes(String property) {
		return (size) -> {
			long bytes = size.toBytes();
			if (bytes > Integer.MAX_VALUE) {
				throw new IllegalArgumentException(property + " must be below 2 GB, was " + size);
			}
			return (int) bytes;
		};
	}

}
