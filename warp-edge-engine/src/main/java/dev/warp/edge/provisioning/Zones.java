package dev.warp.edge.provisioning;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Which hostnames a zone covers: the zone itself and every name below it, at any depth. Zone
 * {@code example.test} covers {@code example.test}, {@code a.example.test} and
 * {@code b.a.example.test}, never {@code other.test} nor {@code badexample.test}.
 */
public final class Zones {

	private static final Pattern DNS_NAME = Pattern
		.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

	private Zones() {
	}

	/** A zone or hostname in the one spelling compared: trimmed, lower case, no trailing dot. */
	public static String normalize(String name) {
		String lower = name.trim().toLowerCase(Locale.ROOT);
		return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
	}

	/** Whether a zone is a plausible DNS name: labels of letters, digits and hyphens. */
	public static boolean isValid(String zone) {
		String name = normalize(zone);
		return !name.isEmpty() && name.length() <= 253 && DNS_NAME.matcher(name).matches();
	}

	public static boolean covers(String zone, String hostname) {
		String z = normalize(zone);
		String h = normalize(hostname);
		return h.equals(z) || h.endsWith("." + z);
	}

	public static boolean anyCovers(Collection<String> zones, String hostname) {
		return zones.stream().anyMatch((zone) -> covers(zone, hostname));
	}

	/**
	 * The most specific of the zones that covers the hostname (the longest), normalized, or
	 * {@code null} when none does.
	 */
	public static @Nullable String closest(Collection<String> zones, String hostname) {
		return zones.stream()
			.filter((zone) -> covers(zone, hostname))
			.map(Zones::normalize)
			.max(Comparator.comparingInt(String::length))
			.orElse(null);
	}

}
