package dev.warp.agent;

import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import dev.warp.core.token.CaPin;
import org.jspecify.annotations.Nullable;

import static dev.warp.agent.DurationChecks.requireNotNegative;
import static dev.warp.agent.DurationChecks.requirePositive;

/**
 * Everything the agent needs to keep a tunnel open: which hostname it serves, which edges it
 * dials, what it trusts, how many connections and how it retries. Immutable; build with
 * {@link #builder(String)}.
 */
public final class TunnelSettings {

	/** The edge's default provisioning port. */
	public static final int DEFAULT_PROVISIONING_PORT = 7847;

	private final String hostname;

	private final List<EdgeAddress> edgeAddresses;

	private final List<X509Certificate> caCertificates;

	private final @Nullable Path caCertificate;

	private final @Nullable CaPin caPin;

	private final @Nullable OriginCredentials originCredentials;

	private final String edgeAddressesSource;

	private final int connections;

	private final Duration gracePeriod;

	private final Duration connectTimeout;

	private final Duration registrationTimeout;

	private final Duration initialBackoff;

	private final Duration maxBackoff;

	private final String agentId;

	private final Duration heartbeatInterval;

	private final int heartbeatMisses;

	private final Duration rebalanceInterval;

	private final @Nullable String token;

	private final Path credentialsDir;

	private final URI provisioningUrl;

	private TunnelSettings(Builder builder) {
		this.hostname = builder.hostname;
		this.edgeAddresses = List.copyOf(builder.edgeAddresses);
		if (builder.caCertificates.isEmpty() && builder.caCertificate == null && builder.caPin == null) {
			throw new IllegalArgumentException("The edge CA is not configured: give a CA certificate file, or a connector "
					+ "token's pin of the CA");
		}
		this.caCertificates = List.copyOf(builder.caCertificates);
		this.caCertificate = this.caCertificates.isEmpty() ? builder.caCertificate : null;
		this.caPin = (this.caCertificates.isEmpty() && builder.caCertificate == null) ? builder.caPin : null;
		this.originCredentials = builder.originCredentials;
		this.edgeAddressesSource = builder.edgeAddressesSource;
		this.connections = builder.connections;
		this.gracePeriod = builder.gracePeriod;
		this.connectTimeout = builder.connectTimeout;
		this.registrationTimeout = builder.registrationTimeout;
		this.initialBackoff = builder.initialBackoff;
		this.maxBackoff = builder.maxBackoff;
		this.agentId = builder.agentId;
		this.heartbeatInterval = builder.heartbeatInterval;
		this.heartbeatMisses = builder.heartbeatMisses;
		this.rebalanceInterval = builder.rebalanceInterval;
		this.token = builder.token;
		this.credentialsDir = builder.credentialsDir;
		this.provisioningUrl = (builder.provisioningUrl != null) ? builder.provisioningUrl
				: defaultProvisioningUrl(this.edgeAddresses.get(0));
	}

	/** The provisioning API of the first edge address: same host, port {@value #DEFAULT_PROVISIONING_PORT}. */
	static URI defaultProvisioningUrl(EdgeAddress address) {
		String host = address.host().contains(":") ? "[" + address.host() + "]" : address.host();
		return URI.create("https://" + host + ":" + DEFAULT_PROVISIONING_PORT);
	}

	public static Builder builder(String hostname) {
		return new Builder(hostname);
	}

	/** The public hostname this agent serves. */
	public String hostname() {
		return this.hostname;
	}

	/** Edge addresses to dial, in order of preference. */
	public List<EdgeAddress> edgeAddresses() {
		return this.edgeAddresses;
	}

	/** Edge CA certificates given as they are (from a trust store, say); else empty: see {@link #caCertificate()}. */
	public List<X509Certificate> caCertificates() {
		return this.caCertificates;
	}

	/**
	 * PEM file of the edge CA certificate that the edge's TLS certificate must chain to, or
	 * {@code null} when the CA is fetched from the edge and checked against {@link #caPin()}.
	 */
	public @Nullable Path caCertificate() {
		return this.caCertificate;
	}

	/**
	 * The pin of the edge CA when there is no {@link #caCertificate() CA file}: the CA is then
	 * fetched from the provisioning API and trusted only if its public key matches; else {@code null}.
	 */
	public @Nullable CaPin caPin() {
		return this.caPin;
	}

	/**
	 * Origin credentials the application holds itself, used as they are (never stored or renewed),
	 * or {@code null}: then they come from the {@link #credentialsDir() credentials directory} and the token.
	 */
	public @Nullable OriginCredentials originCredentials() {
		return this.originCredentials;
	}

	/**
	 * Where the edge addresses come from, in the words of the application's configuration, for
	 * messages: e.g. {@code warp.edge.addresses}, or that they are the default.
	 */
	public String edgeAddressesSource() {
		return this.edgeAddressesSource;
	}

	/** Number of tunnel connections kept open. */
	public int connections() {
		return this.connections;
	}

	/** How long in-flight requests may run on after a drain started. */
	public Duration gracePeriod() {
		return this.gracePeriod;
	}

	/** Bound on TCP connect plus TLS handshake. */
	public Duration connectTimeout() {
		return this.connectTimeout;
	}

	/** How long the agent waits for the edge to open the control stream after the handshake. */
	public Duration registrationTimeout() {
		return this.registrationTimeout;
	}

	public Duration initialBackoff() {
		return this.initialBackoff;
	}

	public Duration maxBackoff() {
		return this.maxBackoff;
	}

	/** Identifies this agent (this replica) to the edge. */
	public String agentId() {
		return this.agentId;
	}

	/** Interval of the HTTP/2 PINGs that measure round-trip time and detect a dead peer. */
	public Duration heartbeatInterval() {
		return this.heartbeatInterval;
	}

	/** Unanswered heartbeats in a row after which a connection is declared dead and replaced. */
	public int heartbeatMisses() {
		return this.heartbeatMisses;
	}

	/**
	 * How often the supervisor checks that the connections are spread over edge nodes, and
	 * moves one when more than half of them share a node while another may be reachable.
	 */
	public Duration rebalanceInterval() {
		return this.rebalanceInterval;
	}

	/**
	 * The account token that obtains origin certificates, or {@code null}: then only credentials
	 * already in the credentials directory can be used. Kept in memory only; never logged.
	 */
	public @Nullable String token() {
		return this.token;
	}

	/** Where origin credentials are kept: {@code <dir>/<hostname>/key.pem} and {@code cert.pem}. */
	public Path credentialsDir() {
		return this.credentialsDir;
	}

	/** Base URL of the edge's provisioning API, {@code https://host:port}. */
	public URI provisioningUrl() {
		return this.provisioningUrl;
	}

	@Override
	public String toString() {
		// The token stays out.
		return "TunnelSettings[hostname=" + this.hostname + ", edgeAddresses=" + this.edgeAddresses + ", caCertificate="
				+ (!this.caCertificates.isEmpty() ? this.caCertificates.size() + " given"
						: (this.caCertificate != null) ? this.caCertificate : "fetched, pinned " + this.caPin)
				+ ", credentialsDir=" + this.credentialsDir + ", provisioningUrl="
				+ this.provisioningUrl + ", token=" + ((this.token != null) ? "******" : "none") + ", connections="
				+ this.connections + "]";
	}

	public static final class Builder {

		private final String hostname;

		private List<EdgeAddress> edgeAddresses = List.of(EdgeAddress.parse("localhost:7844"));

		private List<X509Certificate> caCertificates = List.of();

		private @Nullable Path caCertificate;

		private @Nullable CaPin caPin;

		private @Nullable OriginCredentials originCredentials;

		private String edgeAddressesSource = "as configured";

		private int connections = 4;

		private Duration gracePeriod = Duration.ofSeconds(30);

		private Duration connectTimeout = Duration.ofSeconds(10);

		private Duration registrationTimeout = Duration.ofSeconds(10);

		private Duration initialBackoff = Duration.ofSeconds(1);

		private Duration maxBackoff = Duration.ofSeconds(30);

		private String agentId = UUID.randomUUID().toString().substring(0, 8);

		private Duration heartbeatInterval = Duration.ofSeconds(5);

		private int heartbeatMisses = 3;

		private Duration rebalanceInterval = Duration.ofSeconds(10);

		private @Nullable String token;

		private Path credentialsDir = Path.of(System.getProperty("user.home"), ".warp", "credentials");

		private @Nullable URI provisioningUrl;

		private Builder(String hostname) {
			if (hostname == null || hostname.isBlank()) {
				throw new IllegalArgumentException("The tunnel's hostname must not be empty");
			}
			this.hostname = hostname.trim().toLowerCase(java.util.Locale.ROOT);
		}

		public Builder edgeAddresses(List<EdgeAddress> edgeAddresses) {
			if (edgeAddresses.isEmpty()) {
				throw new IllegalArgumentException("At least one edge address is needed");
			}
			this.edgeAddresses = edgeAddresses;
			return this;
		}

		/** The edge CA certificates themselves; take precedence over a file and a pin. Empty for none. */
		public Builder caCertificates(List<X509Certificate> caCertificates) {
			this.caCertificates = List.copyOf(caCertificates);
			return this;
		}

		/** The edge CA's PEM file; takes precedence over a {@link #caPin(CaPin) pin}. */
		public Builder caCertificate(@Nullable Path caCertificate) {
			this.caCertificate = caCertificate;
			return this;
		}

		/** The pin of the edge CA, which is then fetched from the provisioning API (unless a CA file is given). */
		public Builder caPin(@Nullable CaPin caPin) {
			this.caPin = caPin;
			return this;
		}

		/** Where the edge addresses come from, e.g. {@code warp.edge.addresses}; named in messages after them. */
		public Builder edgeAddressesSource(String source) {
			this.edgeAddressesSource = source;
			return this;
		}

		public Builder connections(int connections) {
			if (connections < 1) {
				throw new IllegalArgumentException("connections must be at least 1, was " + connections);
			}
			this.connections = connections;
			return this;
		}

		public Builder gracePeriod(Duration gracePeriod) {
			this.gracePeriod = requireNotNegative(gracePeriod, "gracePeriod");
			return this;
		}

		public Builder connectTimeout(Duration connectTimeout) {
			this.connectTimeout = requirePositive(connectTimeout, "connectTimeout");
			return this;
		}

		public Builder registrationTimeout(Duration registrationTimeout) {
			this.registrationTimeout = requirePositive(registrationTimeout, "registrationTimeout");
			return this;
		}

		public Builder backoff(Duration initial, Duration max) {
			this.initialBackoff = requirePositive(initial, "initialBackoff");
			this.maxBackoff = requirePositive(max, "maxBackoff");
			if (max.compareTo(initial) < 0) {
				throw new IllegalArgumentException("maxBackoff (" + max + ") is shorter than initialBackoff (" + initial + ")");
			}
			return this;
		}

		public Builder heartbeat(Duration interval, int misses) {
			this.heartbeatInterval = requirePositive(interval, "heartbeatInterval");
			if (misses < 1) {
				throw new IllegalArgumentException("heartbeat misses must be at least 1, was " + misses);
			}
			this.heartbeatMisses = misses;
			return this;
		}

		public Builder rebalanceInterval(Duration rebalanceInterval) {
			this.rebalanceInterval = requirePositive(rebalanceInterval, "rebalanceInterval");
			return this;
		}

		public Builder agentId(String agentId) {
			this.agentId = agentId;
			return this;
		}

		/** Origin credentials held by the application, used instead of the credentials directory and the token. */
		public Builder originCredentials(@Nullable OriginCredentials originCredentials) {
			this.originCredentials = originCredentials;
			return this;
		}

		/** The account token; {@code null} or blank for none. */
		public Builder token(@Nullable String token) {
			this.token = (token == null || token.isBlank()) ? null : token.trim();
			return this;
		}

		/** Default: {@code ${user.home}/.warp/credentials}. */
		public Builder credentialsDir(Path credentialsDir) {
			this.credentialsDir = Objects.requireNonNull(credentialsDir, "credentialsDir");
			return this;
		}

		/** Default: {@code https://<first edge host>:7847}. */
		public Builder provisioningUrl(URI provisioningUrl) {
			if (!"https".equalsIgnoreCase(provisioningUrl.getScheme()) || provisioningUrl.getHost() == null) {
				throw new IllegalArgumentException("The provisioning URL must be https://host:port, was " + provisioningUrl);
			}
			this.provisioningUrl = provisioningUrl;
			return this;
		}

		public TunnelSettings build() {
			return new TunnelSettings(this);
		}

	}

}
