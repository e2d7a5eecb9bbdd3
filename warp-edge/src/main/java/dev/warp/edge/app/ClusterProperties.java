package dev.warp.edge.app;

import java.time.Duration;

import dev.warp.edge.ClusterSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.PropertyMapper;

/**
 * Settings of cluster membership, under {@code edge.cluster.}: what the operator set, applied to
 * {@link ClusterSettings}, which owns the defaults.
 */
public class ClusterProperties {

	/**
	 * Redis server of the cluster's shared route table, such as redis://127.0.0.1:6379
	 * (rediss:// for TLS, redis://:password@host:port/database with credentials). Unset, the
	 * node stands alone with its route table in memory.
	 */
	private @Nullable String redisUrl;

	/**
	 * How long the node's entries in the shared route table outlive it when it dies without
	 * removing them. Renewed every third of it.
	 */
	private @Nullable Duration leaseTtl;

	/**
	 * Port of the peer listener, where other nodes of the cluster forward visitors' requests
	 * for the tunnels of this node (HTTP/2 over TLS 1.3, node certificates on both sides). 0
	 * picks a free port, which the edge logs.
	 */
	private @Nullable Integer peerPort;

	/**
	 * Host name or address other nodes dial the peer listener by. Default: the bind address,
	 * or the machine's hostname when the node binds every address.
	 */
	private @Nullable String advertisedHost;

	public @Nullable String getRedisUrl() {
		return this.redisUrl;
	}

	public void setRedisUrl(@Nullable String redisUrl) {
		this.redisUrl = redisUrl;
	}

	public @Nullable Duration getLeaseTtl() {
		return this.leaseTtl;
	}

	public void setLeaseTtl(@Nullable Duration leaseTtl) {
		this.leaseTtl = leaseTtl;
	}

	public @Nullable Integer getPeerPort() {
		return this.peerPort;
	}

	public void setPeerPort(@Nullable Integer peerPort) {
		this.peerPort = peerPort;
	}

	public @Nullable String getAdvertisedHost() {
		return this.advertisedHost;
	}

	public void setAdvertisedHost(@Nullable String advertisedHost) {
		this.advertisedHost = advertisedHost;
	}


	void applyTo(ClusterSettings.Builder builder) {
		PropertyMapper map = PropertyMapper.get();
		map.from(this::getRedisUrl).whenHasText().to(builder::redisUrl);
		map.from(this::getLeaseTtl).to(builder::leaseTtl);
		map.from(this::getPeerPort).to(builder::peerPort);
		map.from(this::getAdvertisedHost).whenHasText().to(builder::advertisedHost);
	}

}
