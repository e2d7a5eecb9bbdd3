package dev.warp.edge;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import dev.warp.edge.ingress.VisitorConnectionLimit;
import dev.warp.edge.provisioning.ProvisioningSettings;
import dev.warp.edge.provisioning.Zones;
import dev.warp.edge.tunnel.TunnelHandshakeLimit;
import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;

/**
 * The settings of one {@link EdgeNode}. Immutable; made with {@link #builder()}, where every
 * setting has a default that works on one machine with no setup.
 */
public final class EdgeSettings {

	private final String nodeId;

	private final String bindAddress;

	private final int publicPort;

	private final int tunnelPort;

	private final int apiPort;

	private final String apiAddress;

	private final Path dataDir;

	private final List<String> tunnelCertificateNames;

	private final Duration responseTimeout;

	private final Duration registrationTimeout;

	private final Duration heartbeatInterval;

	private final int heartbeatMaxMissed;

	private final Duration drainTimeout;

	private final @Nullable String clusterRedisUrl;

	private final Duration clusterLeaseTtl;

	private final int clusterPeerPort;

	private final String clusterAdvertisedHost;

	private final Duration idleTimeout;

	private final @Nullable Duration webSocketPingInterval;

	private final long maxRequestBody;

	private final int maxHeaderSize;

	private final int maxInitialLineLength;

	private final Duration headerReadTimeout;

	private final int maxConcurrentStreams;

	private final int maxConnections;

	private final int maxConnectionsPerAddress;

	private final Duration abusePenalty;

	private final Duration maxAbusePenalty;

	private final Duration tunnelHandshakeTimeout;

	private final int maxTunnelHandshakes;

	private final int maxTunnelHandshakesPerAddress;

	private final @Nullable PublicTls publicTls;

	private final ProvisioningSettings provisioning;

	private final Set<String> sharedHostnames;

	private final List<String> advertisedTunnelAddresses;

	private final @Nullable URI advertisedProvisioningUrl;

	private EdgeSettings(Builder builder) {
		this.nodeId = (builder.nodeId != null) ? builder.nodeId : "edge-" + randomHex(3);
		this.bindAddress = builder.bindAddress;
		this.publicPort = builder.publicPort;
		this.tunnelPort = builder.tunnelPort;
		this.apiPort = builder.apiPort;
		this.apiAddress = builder.apiAddress;
		this.dataDir = (builder.dataDir != null) ? builder.dataDir
				: Path.of(System.getProperty("user.home"), ".warp", "edge");
		this.advertisedTunnelAddresses = builder.advertisedTunnelAddresses;
		this.advertisedProvisioningUrl = builder.advertisedProvisioningUrl;
		this.tunnelCertificateNames = withAdvertisedHosts((builder.tunnelCertificateNames != null)
				? builder.tunnelCertificateNames : defaultCertificateNames());
		this.responseTimeout = builder.responseTimeout;
		this.registrationTimeout = builder.registrationTimeout;
		this.heartbeatInterval = builder.heartbeatInterval;
		this.heartbeatMaxMissed = builder.heartbeatMaxMissed;
		this.drainTimeout = builder.drainTimeout;
		this.clusterRedisUrl = builder.clusterRedisUrl;
		this.clusterLeaseTtl = builder.clusterLeaseTtl;
		this.clusterPeerPort = builder.clusterPeerPort;
		this.clusterAdvertisedHost = (builder.clusterAdvertisedHost != null) ? builder.clusterAdvertisedHost
				: defaultAdvertisedHost(this.bindAddress);
		this.idleTimeout = builder.idleTimeout;
		this.webSocketPingInterval = builder.webSocketPingInterval;
		this.maxRequestBody = builder.maxRequestBody;
		this.maxHeaderSize = builder.maxHeaderSize;
		this.maxInitialLineLength = builder.maxInitialLineLength;
		this.headerReadTimeout = builder.headerReadTimeout;
		this.maxConcurrentStreams = builder.maxConcurrentStreams;
		this.maxConnections = (builder.maxConnections != null) ? builder.maxConnections
				: VisitorConnectionLimit.defaultMax();
		this.maxConnectionsPerAddress = builder.maxConnectionsPerAddress;
		this.abusePenalty = builder.abusePenalty;
		this.maxAbusePenalty = builder.maxAbusePenalty;
		if (this.maxAbusePenalty.compareTo(this.abusePenalty) < 0) {
			throw new IllegalArgumentException("maxAbusePenalty (" + this.maxAbusePenalty
					+ ") must not be shorter than abusePenalty (" + this.abusePenalty + ")");
		}
		this.tunnelHandshakeTimeout = builder.tunnelHandshakeTimeout;
		this.maxTunnelHandshakes = (builder.maxTunnelHandshakes != null) ? builder.maxTunnelHandshakes
				: TunnelHandshakeLimit.defaultMax();
		this.maxTunnelHandshakesPerAddress = (builder.maxTunnelHandshakesPerAddress != null)
				? builder.maxTunnelHandshakesPerAddress : TunnelHandshakeLimit.defaultMaxPerAddress(this.maxTunnelHandshakes);
		this.publicTls = builder.publicTls;

		this.provisioning = builder.provisioning;
		this.sharedHostnames = builder.sharedHostnames;
	}

	public static Builder builder() {
		return new Builder();
	}

	/** The id of this node, in logs, {@code Warp-Ray} ids and on every control stream. */
	public String nodeId() {
		return this.nodeId;
	}

	/** The address every listener binds to. */
	public String bindAddress() {
		return this.bindAddress;
	}

	/** Port of the public (visitor) listener; {@code 0} picks a free one. */
	public int publicPort() {
		return this.publicPort;
	}

	/** Port of the tunnel listener that agents dial; {@code 0} picks a free one. */
	public int tunnelPort() {
		return this.tunnelPort;
	}

	/** Port of the API (status) listener; {@code 0} picks a free one. */
	public int apiPort() {
		return this.apiPort;
	}

	/**
	 * The address the API (status) listener binds to: loopback unless the operator opens it, since
	 * {@code /status} lists every hostname and agent address.
	 */
	public String apiAddress() {
		return this.apiAddress;
	}

	/** Where the CA, the edge's tunnel certificate and its key are kept. */
	public Path dataDir() {
		return this.dataDir;
	}

	/** DNS names and IP addresses of the edge's tunnel certificate (its SANs). */
	public List<String> tunnelCertificateNames() {
		return this.tunnelCertificateNames;
	}

	/** How long the edge waits for the first response byte of a tunneled request before a 504. */
	public Duration responseTimeout() {
		return this.responseTimeout;
	}

	/** How long a new tunnel connection may take to register before it is closed. */
	public Duration registrationTimeout() {
		return this.registrationTimeout;
	}

	/** Interval of the edge's HTTP/2 PINGs on every tunnel connection. */
	public Duration heartbeatInterval() {
		return this.heartbeatInterval;
	}

	/** How long a graceful shutdown waits for agents to move their connections away. */
	public Duration drainTimeout() {
		return this.drainTimeout;
	}

	/** Unanswered PINGs in a row after which a tunnel connection is dead: closed and unrouted. */
	public int heartbeatMaxMissed() {
		return this.heartbeatMaxMissed;
	}

	/**
	 * The Redis server whose route table this node shares with the other nodes of its cluster, or
	 * {@code null} when the node stands alone.
	 */
	public @Nullable String clusterRedisUrl() {
		return this.clusterRedisUrl;
	}

	/**
	 * How long this node's leases in the shared route table (its own and its routes') outlive it
	 * when it dies without removing them; renewed every third of it.
	 */
	public Duration clusterLeaseTtl() {
		return this.clusterLeaseTtl;
	}

	/** Port of the peer listener, which other nodes of the cluster forward requests to; {@code 0} picks a free one. */
	public int clusterPeerPort() {
		return this.clusterPeerPort;
	}

	/** The host other nodes of the cluster dial this node's peer listener by. */
	public String clusterAdvertisedHost() {
		return this.clusterAdvertisedHost;
	}

	/**
	 * How long a tunneled request's stream may pass no byte in either direction once the
	 * response has started (before that, {@link #responseTimeout()} applies); then both ends are
	 * reset.
	 */
	public Duration idleTimeout() {
		return this.idleTimeout;
	}

	/**
	 * How often the edge pings the visitor of an open WebSocket, so that idle timeouts between
	 * the visitor and the edge do not close it; {@code null} when it does not.
	 */
	public @Nullable Duration webSocketPingInterval() {
		return this.webSocketPingInterval;
	}

	/** The largest request body the edge forwards, in bytes; {@link Long#MAX_VALUE} for no limit. */
	public long maxRequestBody() {
		return this.maxRequestBody;
	}

	/** The largest request header section a visitor may send, in bytes (then {@code 431}). */
	public int maxHeaderSize() {
		return this.maxHeaderSize;
	}

	/** The longest request line a visitor may send, in bytes (then {@code 414}). */
	public int maxInitialLineLength() {
		return this.maxInitialLineLength;
	}

	/**
	 * How long a visitor has to send a request's headers, counted from the connection's opening
	 * (TLS handshake included) or the end of the previous response; then the connection is closed.
	 */
	public Duration headerReadTimeout() {
		return this.headerReadTimeout;
	}

	/** Streams an HTTP/2 visitor may have open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS). */
	public int maxConcurrentStreams() {
		return this.maxConcurrentStreams;
	}

	/**
	 * Visitor connections open at once on the public listeners, cleartext and TLS together; one
	 * more is closed as soon as it is accepted ({@link VisitorConnectionLimit}).
	 */
	public int maxConnections() {
		return this.maxConnections;
	}

	/**
	 * Visitor connections open at once from one client address (an IPv6 client: its {@code /64});
	 * one more from it is closed as soon as it is accepted, while other addresses are served.
	 */
	public int maxConnectionsPerAddress() {
		return this.maxConnectionsPerAddress;
	}

	/**
	 * How long the public listener refuses a client address after the edge closed one of its
	 * connections for abuse (an HTTP/2 flood: rapid reset, control frames); doubled for each
	 * repeat up to {@link #maxAbusePenalty()}.
	 */
	public Duration abusePenalty() {
		return this.abusePenalty;
	}

	/** The longest refusal of an abusive client address; it is forgotten after as long without abuse. */
	public Duration maxAbusePenalty() {
		return this.maxAbusePenalty;
	}

	/**
	 * How long a new tunnel connection has to complete its TLS handshake (the agent's
	 * certificate verified); then it is closed.
	 */
	public Duration tunnelHandshakeTimeout() {
		return this.tunnelHandshakeTimeout;
	}

	/** Tunnel connections in their TLS handshake at once; one more is closed as soon as it is accepted. */
	public int maxTunnelHandshakes() {
		return this.maxTunnelHandshakes;
	}

	/** Tunnel connections in their TLS handshake at once from one client address. */
	public int maxTunnelHandshakesPerAddress() {
		return this.maxTunnelHandshakesPerAddress;
	}

	/** The TLS public listener, or {@code null} when the edge serves visitors over cleartext only. */
	public @Nullable PublicTls publicTls() {
		return this.publicTls;
	}

	/**
	 * Hostnames whose pools take the agents of every account; every other hostname is served by
	 * the agents of one account at a time.
	 */
	public Set<String> sharedHostnames() {
		return this.sharedHostnames;
	}

	/** The provisioning API's port, origin certificates' lifetime, revocation checks. */
	public ProvisioningSettings provisioning() {
		return this.provisioning;
	}

	/**
	 * The tunnel addresses ({@code host:port}) connector tokens name, as agents reach this edge;
	 * empty for the default, {@code localhost} and the tunnel port.
	 */
	public List<String> advertisedTunnelAddresses() {
		return this.advertisedTunnelAddresses;
	}

	/**
	 * The provisioning API's URL connector tokens name, or {@code null} for the default: the host
	 * of the first advertised tunnel address and the provisioning port.
	 */
	public @Nullable URI advertisedProvisioningUrl() {
		return this.advertisedProvisioningUrl;
	}

	/** The names agents dial must be on the tunnel certificate, which the provisioning API shows too. */
	private List<String> withAdvertisedHosts(List<String> names) {
		Set<String> all = new LinkedHashSet<>(names);
		for (String address : this.advertisedTunnelAddresses) {
			all.add(hostOf(address));
		}
		if (this.advertisedProvisioningUrl != null && this.advertisedProvisioningUrl.getHost() != null) {
			String host = this.advertisedProvisioningUrl.getHost();
			all.add(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
		}
		return List.copyOf(all);
	}

	private static String hostOf(String address) {
		String host = address.substring(0, address.lastIndexOf(':'));
		return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
	}

	@Override
	public String toString() {
		return "EdgeSettings[nodeId=" + this.nodeId + ", bindAddress=" + this.bindAddress + ", publicPort="
				+ this.publicPort + ", tunnelPort=" + this.tunnelPort + ", apiPort=" + this.apiPort + ", dataDir="
				+ this.dataDir + ", tunnelCertificateNames=" + this.tunnelCertificateNames + ", responseTimeout="
				+ this.responseTimeout + ", registrationTimeout=" + this.registrationTimeout + "]";
	}

	/**
	 * The TLS public listener: its port, and either the names of the certificate the edge's CA
	 * issues for it or the operator's own certificate and key.
	 * @param port the port, {@code 0} for a free one
	 * @param certificateNames DNS names (wildcards such as {@code *.example.test} allowed) and
	 * addresses of the certificate the edge issues; ignored with a certificate file
	 * @param certificateFile PEM of the operator's certificate chain, or {@code null}
	 * @param keyFile PEM of its private key, or {@code null}
	 */
	public record PublicTls(int port, List<String> certificateNames, @Nullable Path certificateFile,
			@Nullable Path keyFile) {

		public PublicTls {
			Builder.port(port);
			certificateNames = List.copyOf(certificateNames);
			if ((certificateFile == null) != (keyFile == null)) {
				throw new IllegalArgumentException(
						"The public TLS listener needs both a certificate file and a key file, or neither");
			}
			if (certificateFile == null && certificateNames.isEmpty()) {
				throw new IllegalArgumentException(
						"The public TLS listener needs certificate names for the certificate the edge issues, "
								+ "or a certificate file and a key file");
			}
		}

		/** A TLS listener with a certificate the edge's CA issues for these names. */
		public static PublicTls issued(int port, List<String> certificateNames) {
			return new PublicTls(port, certificateNames, null, null);
		}

	}

	static String randomHex(int bytes) {
		byte[] random = new byte[bytes];
		new SecureRandom().nextBytes(random);
		return HexFormat.of().formatHex(random);
	}

	/**
	 * The loopback names, so that agents on this machine can dial {@code localhost} or an
	 * address, plus the machine's hostname, so that agents elsewhere can dial it by name.
	 */
	private static List<String> defaultCertificateNames() {
		Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
		String hostname = localHostname();
		if (hostname != null) {
			names.add(hostname);
		}
		return List.copyOf(names);
	}

	/** The bind address when it is one; for a wildcard, the machine's hostname (or loopback without one). */
	private static String defaultAdvertisedHost(String bindAddress) {
		boolean wildcard = bindAddress.equals("0.0.0.0") || bindAddress.equals("::") || bindAddress.equals("[::]");
		if (!wildcard) {
			return bindAddress;
		}
		String hostname = localHostname();
		return (hostname != null) ? hostname : "127.0.0.1";
	}

	private static @Nullable String localHostname() {
		try {
			String hostname = InetAddress.getLocalHost().getHostName();
			return (hostname == null || hostname.isBlank()) ? null : hostname;
		}
		catch (Exception ex) {
			// A machine without a resolvable name still serves loopback agents.
			return null;
		}
	}

	/** Builds {@link EdgeSettings}; every setting left unset takes its default. */
	public static final class Builder {

		private @Nullable String nodeId;

		private String bindAddress = "0.0.0.0";

		private int publicPort = 8080;

		private int tunnelPort = 7844;

		private int apiPort = 7845;

		private String apiAddress = "127.0.0.1";

		private @Nullable Path dataDir;

		private @Nullable List<String> tunnelCertificateNames;

		private Duration responseTimeout = Duration.ofSeconds(100);

		private Duration registrationTimeout = Duration.ofSeconds(10);

		private Duration heartbeatInterval = Duration.ofSeconds(5);

		private int heartbeatMaxMissed = 3;

		private Duration drainTimeout = Duration.ofSeconds(30);

		private @Nullable String clusterRedisUrl;

		private Duration clusterLeaseTtl = Duration.ofSeconds(10);

		private int clusterPeerPort = 7846;

		private @Nullable String clusterAdvertisedHost;

		private Duration idleTimeout = Duration.ofMinutes(5);

		private @Nullable Duration webSocketPingInterval = Duration.ofSeconds(30);

		private long maxRequestBody = Long.MAX_VALUE;

		private int maxHeaderSize = 32 * 1024;

		private int maxInitialLineLength = 16 * 1024;

		private Duration headerReadTimeout = Duration.ofSeconds(20);

		private int maxConcurrentStreams = 128;

		private @Nullable Integer maxConnections;

		private int maxConnectionsPerAddress = VisitorConnectionLimit.DEFAULT_MAX_PER_ADDRESS;

		private Duration abusePenalty = Duration.ofSeconds(10);

		private Duration maxAbusePenalty = Duration.ofMinutes(10);

		private Duration tunnelHandshakeTimeout = Duration.ofSeconds(5);

		private @Nullable Integer maxTunnelHandshakes;

		private @Nullable Integer maxTunnelHandshakesPerAddress;

		private @Nullable PublicTls publicTls;

		private ProvisioningSettings provisioning = ProvisioningSettings.defaults();

		private Set<String> sharedHostnames = Set.of();

		private List<String> advertisedTunnelAddresses = List.of();

		private @Nullable URI advertisedProvisioningUrl;

		private Builder() {
		}

		/** Default: none, every hostname is served by one account's agents at a time. */
		public Builder sharedHostnames(Collection<String> hostnames) {
			Set<String> normalized = new TreeSet<>();
			for (String hostname : hostnames) {
				if (!Zones.isValid(hostname)) {
					throw new IllegalArgumentException("'" + hostname + "' is not a hostname");
				}
				normalized.add(Zones.normalize(hostname));
			}
			this.sharedHostnames = Set.copyOf(normalized);
			return this;
		}

		/** Default: 30 seconds; {@code null} or zero: no pings. */
		public Builder webSocketPingInterval(@Nullable Duration interval) {
			this.webSocketPingInterval = (interval == null || interval.isZero()) ? null
					: positive(interval, "webSocketPingInterval");
			return this;
		}

		/** Default: 5 minutes. */
		public Builder idleTimeout(Duration idleTimeout) {
			this.idleTimeout = positive(idleTimeout, "idleTimeout");
			return this;
		}

		/** Default: no limit ({@link Long#MAX_VALUE}). */
		public Builder maxRequestBody(long maxRequestBody) {
			if (maxRequestBody < 0) {
				throw new IllegalArgumentException("maxRequestBody must not be negative, was " + maxRequestBody);
			}
			this.maxRequestBody = maxRequestBody;
			return this;
		}

		/** Default: 32 KiB. */
		public Builder maxHeaderSize(int maxHeaderSize) {
			this.maxHeaderSize = atLeast(maxHeaderSize, 1024, "maxHeaderSize");
			return this;
		}

		/** Default: 16 KiB. */
		public Builder maxInitialLineLength(int maxInitialLineLength) {
			this.maxInitialLineLength = atLeast(maxInitialLineLength, 256, "maxInitialLineLength");
			return this;
		}

		/** Default: 20 seconds. */
		public Builder headerReadTimeout(Duration headerReadTimeout) {
			this.headerReadTimeout = positive(headerReadTimeout, "headerReadTimeout");
			return this;
		}

		/** Default: 128. */
		public Builder maxConcurrentStreams(int maxConcurrentStreams) {
			this.maxConcurrentStreams = atLeast(maxConcurrentStreams, 1, "maxConcurrentStreams");
			return this;
		}

		/**
		 * Default: nine tenths of the process's file-descriptor limit
		 * ({@link VisitorConnectionLimit#defaultMax()}).
		 */
		public Builder maxConnections(int maxConnections) {
			this.maxConnections = atLeast(maxConnections, 1, "maxConnections");
			return this;
		}

		/** Default: {@value VisitorConnectionLimit#DEFAULT_MAX_PER_ADDRESS}. */
		public Builder maxConnectionsPerAddress(int maxConnectionsPerAddress) {
			this.maxConnectionsPerAddress = atLeast(maxConnectionsPerAddress, 1, "maxConnectionsPerAddress");
			return this;
		}

		/** Default: 10 seconds, doubled per repeat up to 10 minutes. */
		public Builder abusePenalty(Duration first, Duration max) {
			this.abusePenalty = positive(first, "abusePenalty");
			this.maxAbusePenalty = positive(max, "maxAbusePenalty");
			return this;
		}

		/** Default: 5 seconds. */
		public Builder tunnelHandshakeTimeout(Duration tunnelHandshakeTimeout) {
			this.tunnelHandshakeTimeout = positive(tunnelHandshakeTimeout, "tunnelHandshakeTimeout");
			return this;
		}

		/**
		 * Default: a twentieth of the process's file-descriptor limit, at most 1024
		 * ({@link TunnelHandshakeLimit#defaultMax()}).
		 */
		public Builder maxTunnelHandshakes(int maxTunnelHandshakes) {
			this.maxTunnelHandshakes = atLeast(maxTunnelHandshakes, 1, "maxTunnelHandshakes");
			return this;
		}

		/**
		 * Default: a quarter of {@link #maxTunnelHandshakes}, at most 256
		 * ({@link TunnelHandshakeLimit#defaultMaxPerAddress}), so that one address cannot hold them all.
		 */
		public Builder maxTunnelHandshakesPerAddress(int maxTunnelHandshakesPerAddress) {
			this.maxTunnelHandshakesPerAddress = atLeast(maxTunnelHandshakesPerAddress, 1,
					"maxTunnelHandshakesPerAddress");
			return this;
		}

		/** Default: none, visitors are served over cleartext only. */
		public Builder publicTls(@Nullable PublicTls publicTls) {
			this.publicTls = publicTls;
			return this;
		}

		/** Default: {@code edge-} followed by 6 random hex characters. */
		public Builder nodeId(String nodeId) {
			if (nodeId.isBlank() || !nodeId.chars().allMatch((c) -> c > ' ' && c < 127 && c != '=' && c != '%')) {
				throw new IllegalArgumentException("Invalid node id '" + nodeId + "': use printable ASCII without spaces");
			}
			this.nodeId = nodeId;
			return this;
		}

		/** Default: {@code 0.0.0.0}. */
		public Builder bindAddress(String bindAddress) {
			this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
			return this;
		}

		/** Default: {@code 8080}; {@code 0} picks a free port. */
		public Builder publicPort(int publicPort) {
			this.publicPort = port(publicPort);
			return this;
		}

		/** Default: {@code 7844}; {@code 0} picks a free port. */
		public Builder tunnelPort(int tunnelPort) {
			this.tunnelPort = port(tunnelPort);
			return this;
		}

		/** Default: {@code 7845}; {@code 0} picks a free port. */
		public Builder apiPort(int apiPort) {
			this.apiPort = port(apiPort);
			return this;
		}

		/** Default: {@code 127.0.0.1}, whatever {@link #bindAddress(String)} says. */
		public Builder apiAddress(String apiAddress) {
			if (apiAddress.isBlank()) {
				throw new IllegalArgumentException("apiAddress must not be blank; use 127.0.0.1, or 0.0.0.0 for every interface");
			}
			this.apiAddress = apiAddress.trim();
			return this;
		}

		/** Default: {@code ${user.home}/.warp/edge}. */
		public Builder dataDir(Path dataDir) {
			this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
			return this;
		}

		/**
		 * Default: {@code localhost}, {@code 127.0.0.1}, {@code ::1} and the machine's hostname.
		 */
		public Builder tunnelCertificateNames(List<String> names) {
			List<String> copy = new ArrayList<>();
			for (String name : names) {
				String trimmed = name.trim();
				if (!trimmed.isEmpty() && !copy.contains(trimmed)) {
					copy.add(trimmed);
				}
			}
			if (copy.isEmpty()) {
				throw new IllegalArgumentException("The edge's tunnel certificate needs at least one name");
			}
			this.tunnelCertificateNames = List.copyOf(copy);
			return this;
		}

		/** Default: 100 seconds. */
		public Builder responseTimeout(Duration responseTimeout) {
			this.responseTimeout = positive(responseTimeout, "responseTimeout");
			return this;
		}

		/** Default: 10 seconds. */
		public Builder registrationTimeout(Duration registrationTimeout) {
			this.registrationTimeout = positive(registrationTimeout, "registrationTimeout");
			return this;
		}

		/** Default: 30 seconds. */
		public Builder drainTimeout(Duration drainTimeout) {
			this.drainTimeout = positive(drainTimeout, "drainTimeout");
			return this;
		}

		/** Default: every 5 seconds, dead after 3 unanswered in a row. */
		public Builder heartbeat(Duration interval, int maxMissed) {
			this.heartbeatInterval = positive(interval, "heartbeatInterval");
			if (maxMissed < 1) {
				throw new IllegalArgumentException("heartbeatMaxMissed must be at least 1, was " + maxMissed);
			}
			this.heartbeatMaxMissed = maxMissed;
			return this;
		}

		/**
		 * Joins the cluster whose route table is in this Redis server. Default: none, the node
		 * stands alone.
		 * @param redisUrl {@code redis://[:password@]host[:port][/database]}, or {@code rediss://}
		 */
		public Builder clusterRedisUrl(String redisUrl) {
			String url = redisUrl.trim();
			try {
				RedisURI.create(url);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("Invalid Redis URL '" + url + "': use redis://host:port, e.g. "
						+ "redis://127.0.0.1:6379 (" + ex.getMessage() + ")", ex);
			}
			this.clusterRedisUrl = url;
			return this;
		}

		/** Default: 10 seconds; at least one second. */
		public Builder clusterLeaseTtl(Duration leaseTtl) {
			if (leaseTtl.compareTo(Duration.ofSeconds(1)) < 0) {
				throw new IllegalArgumentException("clusterLeaseTtl must be at least 1 second, was " + leaseTtl);
			}
			this.clusterLeaseTtl = leaseTtl;
			return this;
		}

		/** Default: {@code 7846}; {@code 0} picks a free port. */
		public Builder clusterPeerPort(int peerPort) {
			this.clusterPeerPort = port(peerPort);
			return this;
		}

		/**
		 * Default: the bind address, or the machine's hostname when the node binds every
		 * address. Added to the names of the node's peer certificate.
		 */
		public Builder clusterAdvertisedHost(String host) {
			String trimmed = host.trim();
			if (trimmed.isEmpty()) {
				throw new IllegalArgumentException("clusterAdvertisedHost must not be blank");
			}
			this.clusterAdvertisedHost = trimmed;
			return this;
		}

		/**
		 * The tunnel addresses connector tokens name, {@code host:port} each; each host is added
		 * to the tunnel certificate's names. Default (empty): {@code localhost} and the tunnel port.
		 */
		public Builder advertisedTunnelAddresses(List<String> addresses) {
			List<String> copy = new ArrayList<>();
			for (String address : addresses) {
				String trimmed = address.trim();
				int colon = trimmed.lastIndexOf(':');
				String port = (colon > 0) ? trimmed.substring(colon + 1) : "";
				if (colon <= 0 || port.isEmpty() || !port.chars().allMatch(Character::isDigit) || port.length() > 5
						|| Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
					throw new IllegalArgumentException("edge.advertised.tunnel-addresses: '" + address
							+ "' is not host:port; give the name and port agents dial, e.g. edge.example.test:7844");
				}
				copy.add(trimmed);
			}
			this.advertisedTunnelAddresses = List.copyOf(copy);
			return this;
		}

		/**
		 * The provisioning URL connector tokens name, {@code https://host:port}. Default: the host
		 * of the first advertised tunnel address and the provisioning port.
		 */
		public Builder advertisedProvisioningUrl(@Nullable URI url) {
			if (url != null && (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null)) {
				throw new IllegalArgumentException("edge.advertised.provisioning-url: '" + url
						+ "' is not https://host:port; give the URL agents reach the provisioning API at");
			}
			this.advertisedProvisioningUrl = url;
			return this;
		}

		/** Default: {@link ProvisioningSettings#defaults()}. */
		public Builder provisioning(ProvisioningSettings provisioning) {
			this.provisioning = Objects.requireNonNull(provisioning, "provisioning");
			return this;
		}

		/** Port of the provisioning API. Default: {@code 7847}; {@code 0} picks a free port. */
		public Builder provisioningPort(int port) {
			this.provisioning = this.provisioning.withPort(port);
			return this;
		}

		public EdgeSettings build() {
			return new EdgeSettings(this);
		}

		private static int port(int port) {
			if (port < 0 || port > 65535) {
				throw new IllegalArgumentException("Invalid port " + port + ": use 0 to 65535 (0 picks a free port)");
			}
			return port;
		}

		private static int atLeast(int value, int minimum, String name) {
			if (value < minimum) {
				throw new IllegalArgumentException(name + " must be at least " + minimum + ", was " + value);
			}
			return value;
		}

		private static Duration positive(Duration duration, String name) {
			if (duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException(name + " must be positive, was " + duration);
			}
			return duration;
		}

	}

}
