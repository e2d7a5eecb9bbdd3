package dev.warp.edge;

import java.time.Duration;

import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;

/**
 * Membership of a cluster of edge nodes that share their route table through Redis, and the
 * peer listener other nodes forward requests to. Part of {@link EdgeSettings}, which owns the
 * defaults through {@link Builder}.
 * @param redisUrl the Redis server of the shared route table, or {@code null} when the node
 * stands alone
 * @param leaseTtl how long the node's leases outlive it when it dies without removing them
 * @param peerPort port of the peer listener; {@code 0} picks a free one
 * @param advertisedHost the host other nodes dial the peer listener by
 */
public record ClusterSettings(@Nullable String redisUrl, Duration leaseTtl, int peerPort, String advertisedHost) {

	/** Builds {@link ClusterSettings}; every setting left unset takes its default. */
	public static final class Builder {

		private @Nullable String redisUrl;

		private Duration leaseTtl = Duration.ofSeconds(10);

		private int peerPort = 7846;

		private @Nullable String advertisedHost;

		Builder() {
		}

		/**
		 * Joins the cluster whose route table is in this Redis server. Default: none, the node
		 * stands alone.
		 * @param redisUrl {@code redis://[:password@]host[:port][/database]}, or {@code rediss://}
		 */
		public Builder redisUrl(String redisUrl) {
			String url = redisUrl.trim();
			try {
				RedisURI.create(url);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("Invalid Redis URL '" + url + "': use redis://host:port, e.g. "
						+ "redis://127.0.0.1:6379 (" + ex.getMessage() + ")", ex);
			}
			this.redisUrl = url;
			return this;
		}

		/** Default: 10 seconds; at least one second. */
		public Builder leaseTtl(Duration leaseTtl) {
			if (leaseTtl.compareTo(Duration.ofSeconds(1)) < 0) {
				throw new IllegalArgumentException("clusterLeaseTtl must be at least 1 second, was " + leaseTtl);
			}
			this.leaseTtl = leaseTtl;
			return this;
		}

		/** Default: {@code 7846}; {@code 0} picks a free port. */
		public Builder peerPort(int peerPort) {
			this.peerPort = Checks.port(peerPort);
			return this;
		}

		/**
		 * Default: the bind address, or the machine's hostname when the node binds every
		 * address. Added to the names of the node's peer certificate.
		 */
		public Builder advertisedHost(String host) {
			String trimmed = host.trim();
			if (trimmed.isEmpty()) {
				throw new IllegalArgumentException("clusterAdvertisedHost must not be blank");
			}
			this.advertisedHost = trimmed;
			return this;
		}

		/** The settings of a node that binds this address. */
		public ClusterSettings build(String bindAddress) {
			String host = (this.advertisedHost != null) ? this.advertisedHost : defaultAdvertisedHost(bindAddress);
			return new ClusterSettings(this.redisUrl, this.leaseTtl, this.peerPort, host);
		}

		/** The bind address when it is one; for a wildcard, the machine's hostname (or loopback without one). */
		private static String defaultAdvertisedHost(String bindAddress) {
			boolean wildcard = bindAddress.equals("0.0.0.0") || bindAddress.equals("::") || bindAddress.equals("[::]");
			if (!wildcard) {
				return bindAddress;
			}
			String hostname = LocalHostname.get();
			return (hostname != null) ? hostname : "127.0.0.1";
		}

	}

}
