package dev.warp.edge.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.warp.edge.TunnelListenerSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.PropertyMapper;

/**
 * Settings of the tunnel listener, under {@code edge.tunnel.}: what the operator set, applied to
 * {@link TunnelListenerSettings}, which owns the defaults.
 */
public class TunnelProperties {

	/**
	 * Port agents dial (TLS 1.3, ALPN h2). 0 picks a free port, which the edge logs.
	 */
	private @Nullable Integer port;

	/**
	 * DNS names and IP addresses of the edge's tunnel certificate: every name agents use to
	 * dial this edge. Default: localhost, 127.0.0.1, ::1 and the machine's hostname.
	 */
	private List<String> certificateNames = new ArrayList<>();

	/**
	 * How long a new tunnel connection may take to register a hostname before the edge
	 * closes it.
	 */
	private @Nullable Duration registrationTimeout;

	/**
	 * Interval of the edge's HTTP/2 PINGs on every tunnel connection, which measure the
	 * round-trip time and detect an agent that stopped answering.
	 */
	private @Nullable Duration heartbeatInterval;

	/**
	 * Unanswered heartbeats in a row after which a tunnel connection is declared dead: it
	 * leaves the route table and is closed.
	 */
	private @Nullable Integer heartbeatMaxMissed;

	/**
	 * How long a shutdown waits for agents to move their tunnel connections to other edge
	 * nodes (they are asked to drain, and open a replacement before they let go) before the
	 * remaining connections are closed.
	 */
	private @Nullable Duration drainTimeout;

	/**
	 * How long a new tunnel connection has to complete its TLS handshake, in which the
	 * agent's origin certificate is verified; then the edge closes it.
	 */
	private @Nullable Duration handshakeTimeout;

	/**
	 * Tunnel connections in their TLS handshake (not yet authenticated) at once; one more is
	 * closed as soon as it is accepted, before any TLS work. Authenticated agents' connections
	 * do not count. Default: a twentieth of the process's file-descriptor limit, at most 1024.
	 */
	private @Nullable Integer maxHandshakes;

	/**
	 * Tunnel connections in their TLS handshake at once from one client address (an IPv6
	 * client: its /64); one more from it is closed as soon as it is accepted, while agents at
	 * other addresses connect. Default: a quarter of max-handshakes, at most 256.
	 */
	private @Nullable Integer maxHandshakesPerAddress;

	public @Nullable Integer getPort() {
		return this.port;
	}

	public void setPort(@Nullable Integer port) {
		this.port = port;
	}

	public List<String> getCertificateNames() {
		return this.certificateNames;
	}

	public void setCertificateNames(List<String> certificateNames) {
		this.certificateNames = certificateNames;
	}

	public @Nullable Duration getRegistrationTimeout() {
		return this.registrationTimeout;
	}

	public void setRegistrationTimeout(@Nullable Duration registrationTimeout) {
		this.registrationTimeout = registrationTimeout;
	}

	public @Nullable Duration getHeartbeatInterval() {
		return this.heartbeatInterval;
	}

	public void setHeartbeatInterval(@Nullable Duration heartbeatInterval) {
		this.heartbeatInterval = heartbeatInterval;
	}

	public @Nullable Integer getHeartbeatMaxMissed() {
		return this.heartbeatMaxMissed;
	}

	public void setHeartbeatMaxMissed(@Nullable Integer heartbeatMaxMissed) {
		this.heartbeatMaxMissed = heartbeatMaxMissed;
	}

	public @Nullable Duration getDrainTimeout() {
		return this.drainTimeout;
	}

	public void setDrainTimeout(@Nullable Duration drainTimeout) {
		this.drainTimeout = drainTimeout;
	}

	public @Nullable Duration getHandshakeTimeout() {
		return this.handshakeTimeout;
	}

	public void setHandshakeTimeout(@Nullable Duration handshakeTimeout) {
		this.handshakeTimeout = handshakeTimeout;
	}

	public @Nullable Integer getMaxHandshakes() {
		return this.maxHandshakes;
	}

	public void setMaxHandshakes(@Nullable Integer maxHandshakes) {
		this.maxHandshakes = maxHandshakes;
	}

	public @Nullable Integer getMaxHandshakesPerAddress() {
		return this.maxHandshakesPerAddress;
	}

	public void setMaxHandshakesPerAddress(@Nullable Integer maxHandshakesPerAddress) {
		this.maxHandshakesPerAddress = maxHandshakesPerAddress;
	}


	void applyTo(TunnelListenerSettings.Builder builder) {
		PropertyMapper map = PropertyMapper.get();
		map.from(this::getPort).to(builder::port);
		map.from(this::getCertificateNames).whenNot(List::isEmpty).to(builder::certificateNames);
		map.from(this::getRegistrationTimeout).to(builder::registrationTimeout);
		map.from(this::getHeartbeatInterval).to(builder::heartbeatInterval);
		map.from(this::getHeartbeatMaxMissed).to(builder::heartbeatMaxMissed);
		map.from(this::getDrainTimeout).to(builder::drainTimeout);
		map.from(this::getHandshakeTimeout)
			.as(PropertyChecks.positive("edge.tunnel.handshake-timeout"))
			.to(builder::handshakeTimeout);
		map.from(this::getMaxHandshakes)
			.as(PropertyChecks.atLeastOne("edge.tunnel.max-handshakes", ""))
			.to(builder::maxHandshakes);
		map.from(this::getMaxHandshakesPerAddress)
			.as(PropertyChecks.atLeastOne("edge.tunnel.max-handshakes-per-address", ""))
			.to(builder::maxHandshakesPerAddress);
	}

}
