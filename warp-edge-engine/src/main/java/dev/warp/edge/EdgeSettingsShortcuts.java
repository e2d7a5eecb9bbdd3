package dev.warp.edge;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import dev.warp.edge.provisioning.ProvisioningSettings;
import org.jspecify.annotations.Nullable;

/**
 * The single settings of {@link EdgeSettings}, each read from its group: what the engine's
 * components ask for ({@code settings.publicPort()}) without knowing the groups.
 */
public sealed interface EdgeSettingsShortcuts permits EdgeSettings {

	PublicListenerSettings publicListener();

	TunnelListenerSettings tunnel();

	ProxySettings proxy();

	ClusterSettings cluster();

	ProvisioningSettings provisioning();

	AdvertisedSettings advertised();

	/** Port of the public (visitor) listener; {@code 0} picks a free one. */
	default int publicPort() {
		return publicListener().port();
	}

	/** The largest request header section a visitor may send, in bytes (then {@code 431}). */
	default int maxHeaderSize() {
		return publicListener().maxHeaderSize();
	}

	/** The longest request line a visitor may send, in bytes (then {@code 414}). */
	default int maxInitialLineLength() {
		return publicListener().maxInitialLineLength();
	}

	/** How long a visitor has to send a request's headers; then the connection is closed. */
	default Duration headerReadTimeout() {
		return publicListener().headerReadTimeout();
	}

	/** Streams an HTTP/2 visitor may have open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS). */
	default int maxConcurrentStreams() {
		return publicListener().maxConcurrentStreams();
	}

	/** Visitor connections open at once on the public listeners, cleartext and TLS together. */
	default int maxConnections() {
		return publicListener().maxConnections();
	}

	/** Visitor connections open at once from one client address (an IPv6 client: its {@code /64}). */
	default int maxConnectionsPerAddress() {
		return publicListener().maxConnectionsPerAddress();
	}

	/** How long the public listener refuses a client address after an abuse; doubled per repeat. */
	default Duration abusePenalty() {
		return publicListener().abusePenalty();
	}

	/** The longest refusal of an abusive client address; it is forgotten after as long without abuse. */
	default Duration maxAbusePenalty() {
		return publicListener().maxAbusePenalty();
	}

	/** The TLS public listener, or {@code null} when the edge serves visitors over cleartext only. */
	default EdgeSettings.@Nullable PublicTls publicTls() {
		return publicListener().tls();
	}

	/** Port of the tunnel listener that agents dial; {@code 0} picks a free one. */
	default int tunnelPort() {
		return tunnel().port();
	}

	/** How long a new tunnel connection may take to register before it is closed. */
	default Duration registrationTimeout() {
		return tunnel().registrationTimeout();
	}

	/** Interval of the edge's HTTP/2 PINGs on every tunnel connection. */
	default Duration heartbeatInterval() {
		return tunnel().heartbeatInterval();
	}

	/** Unanswered PINGs in a row after which a tunnel connection is dead: closed and unrouted. */
	default int heartbeatMaxMissed() {
		return tunnel().heartbeatMaxMissed();
	}

	/** How long a graceful shutdown waits for agents to move their connections away. */
	default Duration drainTimeout() {
		return tunnel().drainTimeout();
	}

	/** How long a new tunnel connection has to complete its TLS handshake; then it is closed. */
	default Duration tunnelHandshakeTimeout() {
		return tunnel().handshakeTimeout();
	}

	/** Tunnel connections in their TLS handshake at once; one more is closed as soon as it is accepted. */
	default int maxTunnelHandshakes() {
		return tunnel().maxHandshakes();
	}

	/** Tunnel connections in their TLS handshake at once from one client address. */
	default int maxTunnelHandshakesPerAddress() {
		return tunnel().maxHandshakesPerAddress();
	}

	/** How long the edge waits for the first response byte of a tunneled request before a 504. */
	default Duration responseTimeout() {
		return proxy().responseTimeout();
	}

	/** How long a tunneled request's stream may pass no byte once the response has started. */
	default Duration idleTimeout() {
		return proxy().idleTimeout();
	}

	/** How often the edge pings the visitor of an open WebSocket; {@code null} when it does not. */
	default @Nullable Duration webSocketPingInterval() {
		return proxy().webSocketPingInterval();
	}

	/** The largest request body the edge forwards, in bytes; {@link Long#MAX_VALUE} for no limit. */
	default long maxRequestBody() {
		return proxy().maxRequestBody();
	}

	/** The Redis server of the cluster's shared route table, or {@code null} when the node stands alone. */
	default @Nullable String clusterRedisUrl() {
		return cluster().redisUrl();
	}

	/** How long this node's leases in the shared route table outlive it; renewed every third of it. */
	default Duration clusterLeaseTtl() {
		return cluster().leaseTtl();
	}

	/** Port of the peer listener, which other nodes of the cluster forward requests to; {@code 0} picks a free one. */
	default int clusterPeerPort() {
		return cluster().peerPort();
	}

	/** The host other nodes of the cluster dial this node's peer listener by. */
	default String clusterAdvertisedHost() {
		return cluster().advertisedHost();
	}

	/** The tunnel addresses ({@code host:port}) connector tokens name; empty for the default. */
	default List<String> advertisedTunnelAddresses() {
		return advertised().tunnelAddresses();
	}

	/** The provisioning API's URL connector tokens name, or {@code null} for the default. */
	default @Nullable URI advertisedProvisioningUrl() {
		return advertised().provisioningUrl();
	}

}
