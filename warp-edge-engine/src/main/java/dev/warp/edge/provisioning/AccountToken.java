package dev.warp.edge.provisioning;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What the edge keeps of an account token: its public id, the zones it may obtain certificates
 * for, when it was made and revoked. The secret itself is never kept, only its salted hash.
 */
public record AccountToken(String id, List<String> zones, Instant created, @Nullable Instant revoked) {

	public boolean isRevoked() {
		return this.revoked != null;
	}

}
