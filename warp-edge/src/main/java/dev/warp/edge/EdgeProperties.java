package dev.warp.edge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.warp.edge.provisioning.ProvisioningSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Name;

/**
 * Configuration of the runnable edge, under {@code edge.}; turned into {@link EdgeSettings}.
 */
@ConfigurationProperties("edge")
public class EdgeProperties {

	/**
	 * Id of this edge node, shown in logs, in Warp-Ray ids and to agents. Default: "edge-" and 6
	 * random hex characters.
	 */
	private @Nullable String nodeId;

	/**
	 * Address every listener binds to.
	 */
	private String bindAddress = "0.0.0.0";

	/**
	 * Directory of the edge's CA (ca.pem, which agents trust), its tunnel certificate and keys.
	 * Default: ~/.warp/edge.
	 */
	private @Nullable Path dataDir;

	/**
	 * Public listener, where visitors' HTTP requests arrive.
	 */
	@Name("public")
	private final Public publicListener = new Public();

	/**
	 * Tunnel listener, which agents dial.
	 */
	private final Tunnel tunnel = new Tunnel();

	/**
	 * API listener (status).
	 */
	private final Api api = new Api();

	/**
	 * Forwarding of requests to agents.
	 */
	private final Proxy proxy = new Proxy();

	/**
	 * Membership of a cluster of edge nodes that share their route table through Redis.
	 */
	private final Cluster cluster = new Cluster();

	/**
	 * Provisioning API and origin certificates.
	 */
	private final Provisioning provisioning = new Provisioning();

	public Provisioning getProvisioning() {
		return this.provisioning;
	}

	public @Nullable String getNodeId() {
		return this.nodeId;
	}

	public void setNodeId(@Nullable String nodeId) {
		this.nodeId = nodeId;
	}

	public String getBindAddress() {
		return this.bindAddress;
	}

	public void setBindAddress(String bindAddress) {
		this.bindAddress = bindAddress;
	}

	public @Nullable Path getDataDir() {
		return this.dataDir;
	}

	public void setDataDir(@Nullable Path dataDir) {
		this.dataDir = dataDir;
	}

	public Public getPublicListener() {
		return this.publicListener;
	}

	public Tunnel getTunnel() {
		return this.tunnel;
	}

	public Api getApi() {
		return this.api;
	}

	public Proxy getProxy() {
		return this.proxy;
	}

	public Cluster getCluster() {
		return this.cluster;
	}

	/** The settings of the node these properties describe. */
	public EdgeSettings toSettings() {
		EdgeSettings.Builder builder = EdgeSettings.builder()
			.bindAddress(this.bindAddress)
			.publicPort(this.publicListener.getPort())
			.tunnelPort(this.tunnel.getPort())
			.apiPort(this.api.getPort())
			.responseTimeout(this.proxy.getResponseTimeout())
			.registrationTimeout(this.tunnel.getRegistrationTimeout())
			.heartbeat(this.tunnel.getHeartbeatInterval(), this.tunnel.getHeartbeatMaxMissed())
			.drainTimeout(this.tunnel.getDrainTimeout());
		if (this.nodeId != null && !this.nodeId.isBlank()) {
			builder.nodeId(this.nodeId.trim());
		}
		if (this.dataDir != null) {
			builder.dataDir(this.dataDir);
		}
		if (!this.tunnel.getCertificateNames().isEmpty()) {
			builder.tunnelCertificateNames(this.tunnel.getCertificateNames());
		}
		if (this.cluster.getRedisUrl() != null && !this.cluster.getRedisUrl().isBlank()) {
			builder.clusterRedisUrl(this.cluster.getRedisUrl());
		}
		builder.clusterLeaseTtl(this.cluster.getLeaseTtl()).clusterPeerPort(this.cluster.getPeerPort());
		if (this.cluster.getAdvertisedHost() != null && !this.cluster.getAdvertisedHost().isBlank()) {
			builder.clusterAdvertisedHost(this.cluster.getAdvertisedHost());
		}
		builder.provisioning(new ProvisioningSettings(this.provisioning.getPort(),
				this.provisioning.getCertificateLifetime(), this.provisioning.getRevocationCheckInterval()));
		return builder.build();
	}

	/** Settings of the public listener. */
	public static class Public {

		/**
		 * Port visitors connect to (HTTP/1.1 and h2c). 0 picks a free port, which the edge logs.
		 */
		private int port = 8080;

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

	}

	/** Settings of the tunnel listener. */
	public static class Tunnel {

		/**
		 * Port agents dial (TLS 1.3, ALPN h2). 0 picks a free port, which the edge logs.
		 */
		private int port = 7844;

		/**
		 * DNS names and IP addresses of the edge's tunnel certificate: every name agents use to
		 * dial this edge. Default: localhost, 127.0.0.1, ::1 and the machine's hostname.
		 */
		private List<String> certificateNames = new ArrayList<>();

		/**
		 * How long a new tunnel connection may take to register a hostname before the edge
		 * closes it.
		 */
		private Duration registrationTimeout = Duration.ofSeconds(10);

		/**
		 * Interval of the edge's HTTP/2 PINGs on every tunnel connection, which measure the
		 * round-trip time and detect an agent that stopped answering.
		 */
		private Duration heartbeatInterval = Duration.ofSeconds(5);

		/**
		 * Unanswered heartbeats in a row after which a tunnel connection is declared dead: it
		 * leaves the route table and is closed.
		 */
		private int heartbeatMaxMissed = 3;

		/**
		 * How long a shutdown waits for agents to move their tunnel connections to other edge
		 * nodes (they are asked to drain, and open a replacement before they let go) before the
		 * remaining connections are closed.
		 */
		private Duration drainTimeout = Duration.ofSeconds(30);

		public Duration getDrainTimeout() {
			return this.drainTimeout;
		}

		public void setDrainTimeout(Duration drainTimeout) {
			this.drainTimeout = drainTimeout;
		}

		public Duration getHeartbeatInterval() {
			return this.heartbeatInterval;
		}

		public void setHeartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
		}

		public int getHeartbeatMaxMissed() {
			return this.heartbeatMaxMissed;
		}

		public void setHeartbeatMaxMissed(int heartbeatMaxMissed) {
			this.heartbeatMaxMissed = heartbeatMaxMissed;
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public List<String> getCertificateNames() {
			return this.certificateNames;
		}

		public void setCertificateNames(List<String> certificateNames) {
			this.certificateNames = certificateNames;
		}

		public Duration getRegistrationTimeout() {
			return this.registrationTimeout;
		}

		public void setRegistrationTimeout(Duration registrationTimeout) {
			this.registrationTimeout = registrationTimeout;
		}

	}

	/** Settings of the API listener. */
	public static class Api {

		/**
		 * Port of the edge's API (GET /status). 0 picks a free port, which the edge logs.
		 */
		private int port = 7845;

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

	}

	/** Settings of request forwarding. */
	public static class Proxy {

		/**
		 * How long the edge waits for an agent's response headers before it answers the
		 * visitor 504 and cancels the request.
		 */
		private Duration responseTimeout = Duration.ofSeconds(100);

		public Duration getResponseTimeout() {
			return this.responseTimeout;
		}

		public void setResponseTimeout(Duration responseTimeout) {
			this.responseTimeout = responseTimeout;
		}

	}

	/** Settings of cluster membership. */
	public static class Cluster {

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
		private Duration leaseTtl = Duration.ofSeconds(10);

		/**
		 * Port of the peer listener, where other nodes of the cluster forward visitors' requests
		 * for the tunnels of this node (HTTP/2 over TLS 1.3, node certificates on both sides). 0
		 * picks a free port, which the edge logs.
		 */
		private int peerPort = 7846;

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

		public Duration getLeaseTtl() {
			return this.leaseTtl;
		}

		public void setLeaseTtl(Duration leaseTtl) {
			this.leaseTtl = leaseTtl;
		}

		public int getPeerPort() {
			return this.peerPort;
		}

		public void setPeerPort(int peerPort) {
			this.peerPort = peerPort;
		}

		public @Nullable String getAdvertisedHost() {
			return this.advertisedHost;
		}

		public void setAdvertisedHost(@Nullable String advertisedHost) {
			this.advertisedHost = advertisedHost;
		}

	}

	/** Settings of provisioning: where agents trade an account token for an origin certificate. */
	public static class Provisioning {

		/**
		 * Port of the provisioning API (HTTPS with the edge's certificate). 0 picks a free port,
		 * which the edge logs.
		 */
		private int port = ProvisioningSettings.DEFAULT_PORT;

		/**
		 * Validity of the origin certificates the edge issues. Agents renew theirs after two
		 * thirds of it; the edge closes a tunnel connection whose certificate expired.
		 */
		private Duration certificateLifetime = Duration.ofDays(90);

		/**
		 * How often open tunnel connections are checked against the revoked certificates (the
		 * list is read again from the data directory when it changed).
		 */
		private Duration revocationCheckInterval = Duration.ofSeconds(30);

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public Duration getCertificateLifetime() {
			return this.certificateLifetime;
		}

		public void setCertificateLifetime(Duration certificateLifetime) {
			this.certificateLifetime = certificateLifetime;
		}

		public Duration getRevocationCheckInterval() {
			return this.revocationCheckInterval;
		}

		public void setRevocationCheckInterval(Duration revocationCheckInterval) {
			this.revocationCheckInterval = revocationCheckInterval;
		}

	}

}
