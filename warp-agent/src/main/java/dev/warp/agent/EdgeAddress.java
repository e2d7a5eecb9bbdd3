package dev.warp.agent;

import java.util.Objects;

/**
 * A {@code host:port} an agent dials. The host is also the name the edge's certificate must be
 * valid for: hostname verification is always on.
 */
public record EdgeAddress(String host, int port) {

	public EdgeAddress {
		Objects.requireNonNull(host, "host");
		if (host.isBlank()) {
			throw new IllegalArgumentException("Edge host must not be empty");
		}
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("Edge port must be between 1 and 65535, was " + port);
		}
	}

	/**
	 * Parses {@code host:port}, {@code [v6]:port}.
	 * @throws IllegalArgumentException with the offending text when it is not of that form
	 */
	public static EdgeAddress parse(String text) {
		String value = (text != null) ? text.trim() : "";
		int colon = value.lastIndexOf(':');
		if (colon <= 0 || colon == value.length() - 1) {
			throw new IllegalArgumentException("Edge address '" + text + "' is not of the form host:port");
		}
		String host = value.substring(0, colon);
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		else if (host.contains(":")) {
			throw new IllegalArgumentException("Edge address '" + text + "' has an IPv6 host without brackets: use [addr]:port");
		}
		int port;
		try {
			port = Integer.parseInt(value.substring(colon + 1));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("Edge address '" + text + "' has a port that is not a number");
		}
		return new EdgeAddress(host, port);
	}

	@Override
	public String toString() {
		return (this.host.contains(":") ? "[" + this.host + "]" : this.host) + ":" + this.port;
	}

}
