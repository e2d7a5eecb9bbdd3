package dev.warp.autoconfigure.tunnel;

import org.jspecify.annotations.Nullable;

/**
 * A {@code warp.*} property has a value the tunnel cannot work with. Reported at startup by
 * {@link WarpFailureAnalyzer}.
 */
public class WarpConfigurationException extends RuntimeException {

	private final String property;

	private final @Nullable Object value;

	private final String reason;

	private final String action;

	public WarpConfigurationException(String property, @Nullable Object value, String reason, String action) {
		super("Invalid " + property + " '" + value + "': " + reason);
		this.property = property;
		this.value = value;
		this.reason = reason;
		this.action = action;
	}

	public String getProperty() {
		return this.property;
	}

	public @Nullable Object getValue() {
		return this.value;
	}

	public String getReason() {
		return this.reason;
	}

	public String getAction() {
		return this.action;
	}

}
