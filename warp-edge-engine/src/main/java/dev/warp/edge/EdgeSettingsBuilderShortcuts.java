package dev.warp.edge;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import dev.warp.edge.EdgeSettings.Builder;
import dev.warp.edge.EdgeSettings.PublicTls;
import dev.warp.edge.provisioning.ProvisioningSettings;
import org.jspecify.annotations.Nullable;

/**
 * The setters of single settings on {@link EdgeSettings.Builder}, each passed to the builder of
 * its group, which documents the setting's default and checks the value.
 */
public sealed interface EdgeSettingsBuilderShortcuts permits EdgeSettings.Builder {

	PublicListenerSettings.Builder publicListener();

	TunnelListenerSettings.Builder tunnel();

	ProxySettings.Builder proxy();

	ClusterSettings.Builder cluster();

	AdvertisedSettings.Builder advertised();

	Builder provisioning(ProvisioningSettings provisioning);

	ProvisioningSettings provisioning();

	private Builder self() {
		return (Builder) this;
	}

	/** See {@link PublicListenerSettings.Builder#port(int)}. */
	default Builder publicPort(int port) {
		publicListener().port(port);
		return self();
	}

	/** See {@link PublicListenerSettings.Builder#maxHeaderSize(int)}. */
	default Builder maxHeaderSize(int maxHeaderSize) {
		publicListener().maxHeaderSize(maxHeaderSize);
		return self();
	}

	/** See {@link PublicListenerSettings.Builder#maxInitialLineLength(int)}. */
	default Builder maxInitialLineLength(int maxInitialLineLength) {
		publicListener().maxInitialLineLength(maxInitialLineLength);
		return self();
	}

	/** See {@link PublicListenerSettings.Builder#headerReadTimeout(Duration)}. */
	default Builder headerReadTimeout(Duration headerReadTimeout) {
		publicListener().headerReadTimeout(headerReadTimeout);
		return self();
	}

	/** See {@link PublicListenerSettings.Builder#maxConcurrentStreams(int)}. */
	default Builder maxConcurrentStreams(int maxConcurrentStreams) {
		publicListener().maxConcurrentStreams(maxConcurrentStreams);
		return self();
	}

	/** See {@link PublicListenerSettings.Builder#maxConnections(int)}. */
	default Builder maxConnections(int maxConnections) {
		publicListener().maxConnections(maxConnections);
		return self();
	}

	/** See {@link PublicListenerSettings.Builder#maxConnectionsPerAddress(int)}. */
	default Builder maxConnectionsPerAddress(int maxConnectionsPerAddress) {
		publicListener().maxConnectionsPerAddress(maxConnectionsPerAddress);
		return self();
	}

	/** See {@link PublicListenerSettings.Builder#abusePenalty(Duration)} and {@code maxAbusePenalty}. */
	default Builder abusePenalty(Duration first, Duration max) {
		publicListener().abusePenalty(first).maxAbusePenalty(max);
		return self();
	}

	/** See {@link PublicListenerSettings.Builder#tls(PublicTls)}. */
	default Builder publicTls(@Nullable PublicTls publicTls) {
		publicListener().tls(publicTls);
		return self();
	}

	/** See {@link TunnelListenerSettings.Builder#port(int)}. */
	default Builder tunnelPort(int port) {
		tunnel().port(port);
		return self();
	}

	/** See {@link TunnelListenerSettings.Builder#certificateNames(List)}. */
	default Builder tunnelCertificateNames(List<String> names) {
		tunnel().certificateNames(names);
		return self();
	}

	/** See {@link TunnelListenerSettings.Builder#registrationTimeout(Duration)}. */
	default Builder registrationTimeout(Duration registrationTimeout) {
		tunnel().registrationTimeout(registrationTimeout);
		return self();
	}

	/** See {@link TunnelListenerSettings.Builder#heartbeatInterval(Duration)} and {@code heartbeatMaxMissed}. */
	default Builder heartbeat(Duration interval, int maxMissed) {
		tunnel().heartbeatInterval(interval).heartbeatMaxMissed(maxMissed);
		return self();
	}

	/** See {@link TunnelListenerSettings.Builder#drainTimeout(Duration)}. */
	default Builder drainTimeout(Duration drainTimeout) {
		tunnel().drainTimeout(drainTimeout);
		return self();
	}

	/** See {@link TunnelListenerSettings.Builder#handshakeTimeout(Duration)}. */
	default Builder tunnelHandshakeTimeout(Duration handshakeTimeout) {
		tunnel().handshakeTimeout(handshakeTimeout);
		return self();
	}

	/** See {@link TunnelListenerSettings.Builder#maxHandshakes(int)}. */
	default Builder maxTunnelHandshakes(int maxHandshakes) {
		tunnel().maxHandshakes(maxHandshakes);
		return self();
	}

	/** See {@link TunnelListenerSettings.Builder#maxHandshakesPerAddress(int)}. */
	default Builder maxTunnelHandshakesPerAddress(int maxHandshakesPerAddress) {
		tunnel().maxHandshakesPerAddress(maxHandshakesPerAddress);
		return self();
	}

	/** See {@link ProxySettings.Builder#responseTimeout(Duration)}. */
	default Builder responseTimeout(Duration responseTimeout) {
		proxy().responseTimeout(responseTimeout);
		return self();
	}

	/** See {@link ProxySettings.Builder#idleTimeout(Duration)}. */
	default Builder idleTimeout(Duration idleTimeout) {
		proxy().idleTimeout(idleTimeout);
		return self();
	}

	/** See {@link ProxySettings.Builder#webSocketPingInterval(Duration)}. */
	default Builder webSocketPingInterval(@Nullable Duration interval) {
		proxy().webSocketPingInterval(interval);
		return self();
	}

	/** See {@link ProxySettings.Builder#maxRequestBody(long)}. */
	default Builder maxRequestBody(long maxRequestBody) {
		proxy().maxRequestBody(maxRequestBody);
		return self();
	}

	/** See {@link ClusterSettings.Builder#redisUrl(String)}. */
	default Builder clusterRedisUrl(String redisUrl) {
		cluster().redisUrl(redisUrl);
		return self();
	}

	/** See {@link ClusterSettings.Builder#leaseTtl(Duration)}. */
	default Builder clusterLeaseTtl(Duration leaseTtl) {
		cluster().leaseTtl(leaseTtl);
		return self();
	}

	/** See {@link ClusterSettings.Builder#peerPort(int)}. */
	default Builder clusterPeerPort(int peerPort) {
		cluster().peerPort(peerPort);
		return self();
	}

	/** See {@link ClusterSettings.Builder#advertisedHost(String)}. */
	default Builder clusterAdvertisedHost(String host) {
		cluster().advertisedHost(host);
		return self();
	}

	/** See {@link AdvertisedSettings.Builder#tunnelAddresses(List)}. */
	default Builder advertisedTunnelAddresses(List<String> addresses) {
		advertised().tunnelAddresses(addresses);
		return self();
	}

	/** See {@link AdvertisedSettings.Builder#provisioningUrl(URI)}. */
	default Builder advertisedProvisioningUrl(@Nullable URI url) {
		advertised().provisioningUrl(url);
		return self();
	}

	/** Port of the provisioning API. Default: {@value ProvisioningSettings#DEFAULT_PORT}; {@code 0} picks a free port. */
	default Builder provisioningPort(int port) {
		return provisioning(provisioning().withPort(port));
	}

}
