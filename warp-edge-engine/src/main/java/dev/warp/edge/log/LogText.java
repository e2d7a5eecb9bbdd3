package dev.warp.edge.log;

import org.jspecify.annotations.Nullable;

/**
 * Makes text that a visitor or an agent sent safe to put in a log line: control characters
 * (a {@code %0a} decoded into a line feed would start a forged line) are written as
 * {@code \n}, {@code \r}, {@code \t} or {@code \\uXXXX}, and very long values are cut.
 */
public final class LogText {

	/** Longer values are cut: a log line is no place for a peer's megabyte. */
	static final int MAX_LENGTH = 256;

	private LogText() {
	}

	/**
	 * The value with every control character escaped, cut to {@value #MAX_LENGTH} characters
	 * (marked with an ellipsis); {@code null} stays {@code "null"}.
	 */
	public static String escape(@Nullable CharSequence value) {
		if (value == null) {
			return "null";
		}
		int length = Math.min(value.length(), MAX_LENGTH);
		StringBuilder escaped = null;
		for (int i = 0; i < length; i++) {
			char c = value.charAt(i);
			boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
			if (control && escaped == null) {
				escaped = new StringBuilder(length + 16).append(value, 0, i);
			}
			if (escaped != null) {
				if (!control) {
					escaped.append(c);
				}
				else if (c == '\n') {
					escaped.append("\\n");
				}
				else if (c == '\r') {
					escaped.append("\\r");
				}
				else if (c == '\t') {
					escaped.append("\\t");
				}
				else {
					escaped.append(String.format("\\u%04x", (int) c));
				}
			}
		}
		String result = (escaped != null) ? escaped.toString() : value.subSequence(0, length).toString();
		return (value.length() > MAX_LENGTH) ? result + "…" : result;
	}

}
