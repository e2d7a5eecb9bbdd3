package dev.warp.edge.exchange;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

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

}
