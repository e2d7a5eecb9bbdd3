package dev.warp.core.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message on a tunnel's control stream: a line of UTF-8 text, a type followed by
 * {@code key=value} attributes separated by single spaces, ended by {@code \n}. Values are
 * percent-encoded where they would contain a space, {@code =}, {@code %} or a line break.
 *
 * <pre>
 * register hostname=shop.example.test agent=4f1c2a connection=0 version=1
 * </pre>
 */
public final class ControlMessage {

	/** Agent to edge, first message of every control stream: route this hostname here. */
	public static final String REGISTER = "register";

	/** Edge to agent, answer to {@link #REGISTER}: the edge now routes the hostname here. */
	public static final String REGISTERED = "registered";

	/**
	 * Either direction: no new requests on this connection, it closes once the requests in
	 * flight are done. From the agent, the edge answers {@link #DRAIN_ACK}; from the edge, the
	 * agent opens a replacement connection before this one goes.
	 */
	public static final String DRAIN = "drain";

	/**
	 * Edge to agent, answer to {@link #DRAIN}: the edge has stopped routing to this connection.
	 * Every request stream it opened before arrived before this message, so once the agent has
	 * seen it, its count of requests in flight is final.
	 */
	public static final String DRAIN_ACK = "drain-ack";

	/**
	 * Agent to edge: the application accepts traffic again; the edge sends new requests to this
	 * connection. Also what a registration means unless it says otherwise.
	 */
	public static final String READY = "ready";

	/**
	 * Agent to edge: the application refuses traffic for now (its readiness state); the edge
	 * sends no new requests to this connection but keeps it open, until {@link #READY}.
	 */
	public static final String NOT_READY = "not-ready";

	/**
	 * Attribute of {@link #REGISTER}: {@code false} when the application refuses traffic at the
	 * moment it registers, so that the edge does not route to it until {@link #READY}; absent
	 * means {@code true}. Either side ignores message types and attributes it does not know.
	 */
	public static final String READY_ATTRIBUTE = "ready";

	/**
	 * Edge to agent, answer to {@link #REGISTER} (or later, should the edge learn of a conflict
	 * after it): the edge does not route the hostname to this connection, for the reason in the
	 * {@link #REASON_ATTRIBUTE} attribute, and closes it.
	 */
	public static final String REFUSED = "refused";

	/** Attribute of {@link #REFUSED}: why, in words for the application's operator. */
	public static final String REASON_ATTRIBUTE = "reason";

	/** Longest line either side accepts, so a peer cannot make the other buffer without bound. */
	public static final int MAX_LINE_LENGTH = 4096;

	private final String type;

	private final Map<String, String> attributes;

	private ControlMessage(String type, Map<String, String> attributes) {
		this.type = type;
		this.attributes = Collections.unmodifiableMap(attributes);
	}

	public static ControlMessage of(String type) {
		return new ControlMessage(requireToken(type, "type"), new LinkedHashMap<>());
	}

	public ControlMessage with(String key, Object value) {
		Map<String, String> copy = new LinkedHashMap<>(this.attributes);
		copy.put(requireToken(key, "key"), String.valueOf(value));
		return new ControlMessage(this.type, copy);
	}

	public String type() {
		return this.type;
	}

	public Map<String, String> attributes() {
		return this.attributes;
	}

	/** The attribute's value, or {@code null} when absent. */
	public String get(String key) {
		return this.attributes.get(key);
	}

	/** The encoded line, including its trailing {@code \n}. */
	public String encode() {
		StringBuilder line = new StringBuilder(this.type);
		this.attributes.forEach((key, value) -> line.append(' ').append(key).append('=').append(escape(value)));
		return line.append('\n').toString();
	}

	/**
	 * Parses one line (with or without its trailing line break).
	 * @throws IllegalArgumentException if the line is empty, too long or malformed
	 */
	public static ControlMessage parse(String line) {
		String text = line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
		if (text.isEmpty() || text.length() > MAX_LINE_LENGTH) {
			throw new IllegalArgumentException("Control message is empty or longer than " + MAX_LINE_LENGTH + " characters");
		}
		String[] parts = text.split(" ");
		Map<String, String> attributes = new LinkedHashMap<>();
		for (int i = 1; i < parts.length; i++) {
			int eq = parts[i].indexOf('=');
			if (eq <= 0) {
				throw new IllegalArgumentException("Malformed control message attribute '" + parts[i] + "' in: " + text);
			}
			attributes.put(parts[i].substring(0, eq), unescape(parts[i].substring(eq + 1)));
		}
		return new ControlMessage(requireToken(parts[0], "type"), attributes);
	}

	private static String requireToken(String token, String what) {
		Objects.requireNonNull(token, what);
		if (token.isEmpty() || !token.chars().allMatch((c) -> c > ' ' && c < 127 && c != '=' && c != '%')) {
			throw new IllegalArgumentException("Invalid control message " + what + " '" + token + "'");
		}
		return token;
	}

	private static String escape(String value) {
		StringBuilder out = new StringBuilder(value.length());
		for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
			int c = b & 0xff;
			if (c <= ' ' || c == '=' || c == '%' || c >= 127) {
				out.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
			}
			else {
				out.append((char) c);
			}
		}
		return out.toString();
	}

	private static String unescape(String value) {
		if (value.indexOf('%') < 0) {
			return value;
		}
		byte[] out = new byte[value.length()];
		int n = 0;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '%' && i + 2 < value.length()) {
				out[n++] = (byte) Integer.parseInt(value.substring(i + 1, i + 3), 16);
				i += 2;
			}
			else if (c == '%') {
				throw new IllegalArgumentException("Truncated escape in control message value '" + value + "'");
			}
			else {
				out[n++] = (byte) c;
			}
		}
		return new String(out, 0, n, StandardCharsets.UTF_8);
	}

	@Override
	public boolean equals(Object other) {
		return (other instanceof ControlMessage message) && this.type.equals(message.type)
				&& this.attributes.equals(message.attributes);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.type, this.attributes);
	}

	@Override
	public String toString() {
		return encode().trim();
	}

}
