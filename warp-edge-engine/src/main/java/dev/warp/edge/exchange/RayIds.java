package dev.warp.edge.exchange;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

/**
 * {@code Warp-Ray} ids: 16 random hex characters and the node id, so that a visitor's report
 * names both the request and the node that took it.
 */
public final class RayIds {

	private RayIds() {
	}

	public static String next(String nodeId) {
		// Unique enough to find a request in logs; not a secret, so no SecureRandom on the hot path.
		return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + "-" + nodeId;
	}

	/**
	 * The ray id of a request another edge node forwarded: the one that node gave it, so that
	 * both nodes' logs name the request alike; a new one if it came without.
	 */
	public static String forwarded(@Nullable CharSequence ray, String nodeId) {
		String given = (ray != null) ? ray.toString().trim() : "";
		return given.isEmpty() ? next(nodeId) : given;
	}

}
