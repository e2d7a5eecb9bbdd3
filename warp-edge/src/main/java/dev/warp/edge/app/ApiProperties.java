package dev.warp.edge.app;

import dev.warp.edge.EdgeSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.PropertyMapper;

/**
 * Settings of the API listener (status, metrics), under {@code edge.api.}: what the operator
 * set, applied to {@link EdgeSettings}, which owns the defaults.
 */
public class ApiProperties {

	/**
	 * Port of the edge's API (GET /status, and a dashboard at /). 0 picks a free port, which the
	 * edge logs.
	 */
	private @Nullable Integer port;

	/**
	 * Address the API listener binds to. Its GET /status lists every hostname and the
	 * address of every agent, and GET /metrics the node's meters: 0.0.0.0 opens it to every
	 * interface, for a monitoring system on another machine.
	 */
	private @Nullable String address;

	public @Nullable Integer getPort() {
		return this.port;
	}

	public void setPort(@Nullable Integer port) {
		this.port = port;
	}

	public @Nullable String getAddress() {
		return this.address;
	}

	public void setAddress(@Nullable String address) {
		this.address = address;
	}


	void applyTo(EdgeSettings.Builder builder) {
		PropertyMapper map = PropertyMapper.get();
		map.from(this::getPort).to(builder::apiPort);
		map.from(this::getAddress).as(ApiProperties::notBlank).to(builder::apiAddress);
	}

	private static String notBlank(String address) {
		if (address.isBlank()) {
			throw new IllegalArgumentException(
					"edge.api.address must not be blank; use 127.0.0.1 (the default), or 0.0.0.0 for every interface");
		}
		return address;
	}

}
