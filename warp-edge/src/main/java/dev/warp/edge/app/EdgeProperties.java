package dev.warp.edge.app;

import dev.warp.edge.EdgeSettings;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.warp.edge.provisioning.ProvisioningSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.util.unit.DataSize;

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
	 * Which agents serve which hostnames.
	 */
	private final Routing routing = new Routing();

	/**
	 * Membership of a cluster of edge nodes that share their route table through Redis.
	 */
	private final Cluster cluster = new Cluster();

	/**
	 * Provisioning API and origin certificates.
	 */
	private final Provisioning provisioning = new Provisioning();

	/**
	 * How agents reach this edge from where they run, as connector tokens tell them.
	 */
	private final Advertised advertised = new Advertised();

	public Advertised getAdvertised() {
		return this.advertised;
	}

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

	public Routing getRouting() {
		return this.routing;
	}

	/** The settings of the node these properties describe. */
	public EdgeSettings toSettings() {
		EdgeSettings.Builder builder = EdgeSettings.builder()
			.bindAddress(this.bindAddress)
			.publicPort(this.publicListener.getPort())
			.tunnelPort(this.tunnel.getPort())
			.apiPort(this.api.getPort())
			.apiAddress(apiAddress(this.api.getAddress()))
			.responseTimeout(this.proxy.getResponseTimeout())
			.registrationTimeout(this.tunnel.getRegistrationTimeout())
			.heartbeat(this.tunnel.getHeartbeatInterval(), this.tunnel.getHeartbeatMaxMissed())
			.drainTimeout(this.tunnel.getDrainTimeout())
			.idleTimeout(this.proxy.getIdleTimeout())
			.webSocketPingInterval(this.proxy.getWebSocketPingInterval())
			.maxHeaderSize(intBytes(this.publicListener.getMaxHeaderSize(), "edge.public.max-header-size"))
			.maxInitialLineLength(
					intBytes(this.publicListener.getMaxInitialLineLength(), "edge.public.max-initial-line-length"))
			.headerReadTimeout(this.publicListener.getReadTimeout())
			.maxConcurrentStreams(this.publicListener.getMaxConcurrentStreams());
		Integer maxConnections = this.publicListener.getMaxConnections();
		if (maxConnections != null) {
			if (maxConnections < 1) {
				throw new IllegalArgumentException("edge.public.max-connections must be at least 1, was "
						+ maxConnections + "; leave it unset for the default (nine tenths of the file-descriptor limit)");
			}
			builder.maxConnections(maxConnections);
		}
		builder.maxConnectionsPerAddress(
				atLeastOne(this.publicListener.getMaxConnectionsPerAddress(), "edge.public.max-connections-per-address"))
			.abusePenalty(positive(this.publicListener.getAbusePenalty(), "edge.public.abuse-penalty"),
					positive(this.publicListener.getMaxAbusePenalty(), "edge.public.max-abuse-penalty"))
			.tunnelHandshakeTimeout(positive(this.tunnel.getHandshakeTimeout(), "edge.tunnel.handshake-timeout"));
		if (this.tunnel.getMaxHandshakesPerAddress() != null) {
			builder.maxTunnelHandshakesPerAddress(
					atLeastOne(this.tunnel.getMaxHandshakesPerAddress(), "edge.tunnel.max-handshakes-per-address"));
		}
		if (this.publicListener.getMaxAbusePenalty().compareTo(this.publicListener.getAbusePenalty()) < 0) {
			throw new IllegalArgumentException("edge.public.max-abuse-penalty (" + this.publicListener.getMaxAbusePenalty()
					+ ") must not be shorter than edge.public.abuse-penalty (" + this.publicListener.getAbusePenalty() + ")");
		}
		if (this.tunnel.getMaxHandshakes() != null) {
			builder.maxTunnelHandshakes(atLeastOne(this.tunnel.getMaxHandshakes(), "edge.tunnel.max-handshakes"));
		}
		if (this.proxy.getMaxRequestBody() != null) {
			builder.maxRequestBody(this.proxy.getMaxRequestBody().toBytes());
		}
		Public.Tls tls = this.publicListener.getTls();
		if (tls.getPort() != null) {
			builder.publicTls(new EdgeSettings.PublicTls(tls.getPort(), tls.getCertificateNames(), tls.getCertificateFile(),
					tls.getKeyFile()));
		}
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
		try {
			builder.sharedHostnames(this.routing.getSharedHostnames());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("edge.routing.shared-hostnames: " + ex.getMessage(), ex);
		}
		if (this.provisioning.getFailedAttemptsPerMinute() < 1) {
			throw new IllegalArgumentException("edge.provisioning.failed-attempts-per-minute must be at least 1, was "
					+ this.provisioning.getFailedAttemptsPerMinute());
		}
		builder.advertisedTunnelAddresses(this.advertised.getTunnelAddresses())
			.advertisedProvisioningUrl(this.advertised.getProvisioningUrl());
		builder.provisioning(new ProvisioningSettings(this.provisioning.getPort(),
				this.provisioning.getCertificateLifetime(), this.provisioning.getRevocationCheckInterval(),
				this.provisioning.getFailedAttemptsPerMinute()));
		return builder.build();
	}

	private static String apiAddress(@Nullable String address) {
		if (address == null || address.isBlank()) {
			throw new IllegalArgumentException(
					"edge.api.address must not be blank; use 127.0.0.1 (the default), or 0.0.0.0 for every interface");
		}
		return address;
	}

	private static int atLeastOne(int value, String property) {
		if (value < 1) {
			throw new IllegalArgumentException(property + " must be at least 1, was " + value);
		}
		return value;
	}

	private static Duration positive(Duration value, String property) {
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(property + " must be positive, was " + value);
		}
		return value;
	}

	private static int intBytes(DataSize size, String property) {
		long bytes = size.toBytes();
		if (bytes > Integer.MAX_VALUE) {
			throw new IllegalArgumentException(property + " must be below 2 GB, was " + size);
		}
		return (int) bytes;
	}

	/** What connector tokens ({@code token create}) tell agents about this edge. */
	public static class Advertised {

		/**
		 * Tunnel addresses agents dial, as host:port, named in connector tokens; each host is
		 * added to the tunnel certificate's names. Default: localhost and edge.tunnel.port,
		 * which serves agents on this machine only.
		 */
		private List<String> tunnelAddresses = new ArrayList<>();

		/**
		 * URL agents reach the provisioning API at (https://host:port), named in connector
		 * tokens. Default: the host of the first advertised tunnel address and
		 * edge.provisioning.port.
		 */
		private @Nullable URI provisioningUrl;

		public List<String> getTunnelAddresses() {
			return this.tunnelAddresses;
		}

		public void setTunnelAddresses(List<String> tunnelAddresses) {
			this.tunnelAddresses = tunnelAddresses;
		}

		public @Nullable URI getProvisioningUrl() {
			return this.provisioningUrl;
		}

		public void setProvisioningUrl(@Nullable URI provisioningUrl) {
			this.provisioningUrl = provisioningUrl;
		}

	}

	/** Settings of the public listener. */
	public static class Public {

		/**
		 * Port visitors connect to (HTTP/1.1 and h2c). 0 picks a free port, which the edge logs.
		 */
		private int port = 8080;

		/**
		 * Largest request header section a visitor may send; a larger one is answered 431 and
		 * its connection closed. Also the HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE. The default
		 * (32KB) takes the cookies and tokens of real browsers while bounding the memory one
		 * connection can make the edge hold before a request is even routed.
		 */
		private DataSize maxHeaderSize = DataSize.ofKilobytes(32);

		/**
		 * Longest request line (method, target and version) a visitor may send; a longer one is
		 * answered 414. Bounds long query strings; the default (16KB) is above what browsers and
		 * common CDNs accept for a URL.
		 */
		private DataSize maxInitialLineLength = DataSize.ofKilobytes(16);

		/**
		 * How long a visitor has to send a request's complete headers, counted from the
		 * connection's opening (TLS handshake included) or from the end of the previous response
		 * on the connection; then the connection is closed. Defends against visitors that send
		 * headers byte by byte to hold connections open (slowloris); the default (20s) is far
		 * longer than any real client needs.
		 */
		private Duration readTimeout = Duration.ofSeconds(20);

		/**
		 * Streams an HTTP/2 visitor may have open at once on one connection
		 * (SETTINGS_MAX_CONCURRENT_STREAMS); streams beyond it are refused. The default (128,
		 * as in common web servers) serves a browser's page loads while bounding what one
		 * connection can ask of the edge and the tunnels.
		 */
		private int maxConcurrentStreams = 128;

		/**
		 * Visitor connections open at once on the public listeners, cleartext and TLS together;
		 * one more is closed as soon as it is accepted. Keeps a flood of visitors from taking the
		 * file descriptors that agents' tunnel connections need. Default: nine tenths of the
		 * process's file-descriptor limit.
		 */
		private @Nullable Integer maxConnections;

		/**
		 * Visitor connections open at once from one client address (an IPv6 client: its /64);
		 * one more from it is closed as soon as it is accepted, while other addresses are served.
		 * Keeps one client from filling max-connections and locking every other visitor out.
		 */
		private int maxConnectionsPerAddress = 256;

		/**
		 * How long the public listeners refuse new connections from a client address after the
		 * edge closed one of its connections for abuse (HTTP/2 rapid reset or another flood the
		 * edge answers with GOAWAY ENHANCE_YOUR_CALM). Doubled for each repeat, up to
		 * max-abuse-penalty.
		 */
		private Duration abusePenalty = Duration.ofSeconds(10);

		/**
		 * Longest refusal of an abusive client address. An address that stays quiet this long
		 * after its refusal ends is forgotten: its next abuse starts again at abuse-penalty.
		 */
		private Duration maxAbusePenalty = Duration.ofMinutes(10);

		/**
		 * TLS public listener (HTTP/1.1 and HTTP/2 by ALPN).
		 */
		private final Tls tls = new Tls();

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public DataSize getMaxHeaderSize() {
			return this.maxHeaderSize;
		}

		public void setMaxHeaderSize(DataSize maxHeaderSize) {
			this.maxHeaderSize = maxHeaderSize;
		}

		public DataSize getMaxInitialLineLength() {
			return this.maxInitialLineLength;
		}

		public void setMaxInitialLineLength(DataSize maxInitialLineLength) {
			this.maxInitialLineLength = maxInitialLineLength;
		}

		public Duration getReadTimeout() {
			return this.readTimeout;
		}

		public void setReadTimeout(Duration readTimeout) {
			this.readTimeout = readTimeout;
		}

		public int getMaxConcurrentStreams() {
			return this.maxConcurrentStreams;
		}

		public void setMaxConcurrentStreams(int maxConcurrentStreams) {
			this.maxConcurrentStreams = maxConcurrentStreams;
		}

		public @Nullable Integer getMaxConnections() {
			return this.maxConnections;
		}

		public void setMaxConnections(@Nullable Integer maxConnections) {
			this.maxConnections = maxConnections;
		}

		public int getMaxConnectionsPerAddress() {
			return this.maxConnectionsPerAddress;
		}

		public void setMaxConnectionsPerAddress(int maxConnectionsPerAddress) {
			this.maxConnectionsPerAddress = maxConnectionsPerAddress;
		}

		public Duration getAbusePenalty() {
			return this.abusePenalty;
		}

		public void setAbusePenalty(Duration abusePenalty) {
			this.abusePenalty = abusePenalty;
		}

		public Duration getMaxAbusePenalty() {
			return this.maxAbusePenalty;
		}

		public void setMaxAbusePenalty(Duration maxAbusePenalty) {
			this.maxAbusePenalty = maxAbusePenalty;
		}

		public Tls getTls() {
			return this.tls;
		}

		/** Settings of the TLS public listener. */
		public static class Tls {

			/**
			 * Port of the TLS public listener (TLS 1.2 and 1.3; HTTP/1.1 and HTTP/2 by ALPN). Unset,
			 * visitors are served over cleartext only. 0 picks a free port, which the edge logs.
			 */
			private @Nullable Integer port;

			/**
			 * DNS names (wildcards such as *.example.test allowed) and IP addresses of the
			 * certificate the edge's CA issues for the TLS public listener at every start.
			 * Ignored when certificate-file and key-file are set.
			 */
			private List<String> certificateNames = new ArrayList<>(List.of("localhost", "127.0.0.1"));

			/**
			 * PEM file of the operator's own certificate chain (leaf first) for the TLS public
			 * listener, used instead of one the edge issues. Needs key-file.
			 */
			private @Nullable Path certificateFile;

			/**
			 * PEM file of the private key of certificate-file.
			 */
			private @Nullable Path keyFile;

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

			public @Nullable Path getCertificateFile() {
				return this.certificateFile;
			}

			public void setCertificateFile(@Nullable Path certificateFile) {
				this.certificateFile = certificateFile;
			}

			public @Nullable Path getKeyFile() {
				return this.keyFile;
			}

			public void setKeyFile(@Nullable Path keyFile) {
				this.keyFile = keyFile;
			}

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

		/**
		 * How long a new tunnel connection has to complete its TLS handshake, in which the
		 * agent's origin certificate is verified; then the edge closes it.
		 */
		private Duration handshakeTimeout = Duration.ofSeconds(5);

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

		public Duration getHandshakeTimeout() {
			return this.handshakeTimeout;
		}

		public void setHandshakeTimeout(Duration handshakeTimeout) {
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

		/**
		 * Address the API listener binds to. Its GET /status lists every hostname and the
		 * address of every agent, and GET /metrics the node's meters: 0.0.0.0 opens it to every
		 * interface, for a monitoring system on another machine.
		 */
		private String address = "127.0.0.1";

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public String getAddress() {
			return this.address;
		}

		public void setAddress(String address) {
			this.address = address;
		}

	}

	/** Settings of request forwarding. */
	public static class Proxy {

		/**
		 * How long the edge waits for an agent's response headers before it answers the
		 * visitor 504 and cancels the request.
		 */
		private Duration responseTimeout = Duration.ofSeconds(100);

		/**
		 * How long a stream may pass no byte in either direction once the agent's response has
		 * started; then the visitor's response is aborted and the stream reset, so the
		 * application's work stops. Long enough for a quiet Server-Sent Events stream with
		 * keep-alive comments, short enough that a stalled peer does not hold a stream forever.
		 * WebSocket streams are not subject to it.
		 */
		private Duration idleTimeout = Duration.ofMinutes(5);

		/**
		 * How often the edge pings the visitor of an open WebSocket (its pong stops at the
		 * edge), so that a WebSocket without traffic survives the idle timeouts of NATs, load
		 * balancers and proxies between the visitor and the edge, which are often 60 s. Zero: no
		 * pings.
		 */
		private Duration webSocketPingInterval = Duration.ofSeconds(30);

		/**
		 * Largest request body the edge forwards. A request that declares a larger
		 * Content-Length is answered 413 without reaching the application; a body that grows
		 * past it while streaming is cut: the application's stream is reset and the visitor gets
		 * 413 (or its connection is closed when the response had started). Unset: no limit, a
		 * body of any size streams through under flow control.
		 */
		private @Nullable DataSize maxRequestBody;

		public Duration getWebSocketPingInterval() {
			return this.webSocketPingInterval;
		}

		public void setWebSocketPingInterval(Duration webSocketPingInterval) {
			this.webSocketPingInterval = webSocketPingInterval;
		}

		public Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

		public @Nullable DataSize getMaxRequestBody() {
			return this.maxRequestBody;
		}

		public void setMaxRequestBody(@Nullable DataSize maxRequestBody) {
			this.maxRequestBody = maxRequestBody;
		}

		public Duration getResponseTimeout() {
			return this.responseTimeout;
		}

		public void setResponseTimeout(Duration responseTimeout) {
			this.responseTimeout = responseTimeout;
		}

	}

	/** Settings of routing: which agents serve which hostnames. */
	public static class Routing {

		/**
		 * Hostnames whose pools take the agents of every account. Any other hostname is served by
		 * the agents of one account at a time (the zone of the token that obtained their origin
		 * certificates), and an agent of another account is refused while they serve it.
		 */
		private List<String> sharedHostnames = new ArrayList<>();

		public List<String> getSharedHostnames() {
			return this.sharedHostnames;
		}

		public void setSharedHostnames(List<String> sharedHostnames) {
			this.sharedHostnames = sharedHostnames;
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
		 * How often the revoked certificates are read again and open tunnel connections checked
		 * against them. A change of the file is acted on at once anyway; this covers a data
		 * directory on a share written by another machine, whose changes are not reported.
		 */
		private Duration revocationCheckInterval = Duration.ofSeconds(30);

		/**
		 * Refused requests (unknown token, hostname outside its zones, bad CSR) a client address
		 * may make within a minute; further ones are answered 429 with Retry-After until the
		 * minute is over, without their token being checked.
		 */
		private int failedAttemptsPerMinute = ProvisioningSettings.DEFAULT_FAILED_ATTEMPTS_PER_MINUTE;

		public int getFailedAttemptsPerMinute() {
			return this.failedAttemptsPerMinute;
		}

		public void setFailedAttemptsPerMinute(int failedAttemptsPerMinute) {
			this.failedAttemptsPerMinute = failedAttemptsPerMinute;
		}

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
