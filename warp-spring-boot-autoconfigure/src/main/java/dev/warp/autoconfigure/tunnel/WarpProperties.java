package dev.warp.autoconfigure.tunnel;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the Warp tunnel of this application: what the application set. The
 * settings of the tunnel itself are copied onto {@link dev.warp.agent.TunnelSettings}, which
 * owns their defaults; the configuration metadata shows them
 * ({@code META-INF/additional-spring-configuration-metadata.json}, checked against the settings
 * by a test).
 */
@ConfigurationProperties("warp")
public class WarpProperties {

	/**
	 * Public hostname this application is served at. Setting it opens the tunnel.
	 */
	private @Nullable String hostname;

	/**
	 * Whether to open the tunnel when a hostname is set.
	 */
	private boolean enabled = true;

	/**
	 * Number of tunnel connections kept open to the edge.
	 */
	private @Nullable Integer connections;

	/**
	 * How long in-flight tunneled requests may run on at shutdown after the edge has been told
	 * to send no new ones.
	 */
	private @Nullable Duration gracePeriod;

	/**
	 * Token from the edge's 'token create' command (WARP_TOKEN in the environment). A connector
	 * token (warp1.…) also names the edge's addresses and pins its CA, so that nothing else is
	 * needed. Obtains this application's origin certificate from the edge's provisioning API
	 * when the credentials directory holds no valid one, and renews it. Kept in memory only:
	 * never written nor logged by the tunnel.
	 */
	private @Nullable String token;

	/**
	 * Directory of the origin credentials: <hostname>/key.pem and cert.pem, owner-only. Reused
	 * on restart, so that a restart does not contact the provisioning API. Default:
	 * ~/.warp/credentials.
	 */
	private @Nullable Path credentialsDir;

	private final Startup startup = new Startup();

	private final Edge edge = new Edge();

	private final Reconnect reconnect = new Reconnect();

	private final Heartbeat heartbeat = new Heartbeat();

	private final Management management = new Management();

	private final Origin origin = new Origin();

	public @Nullable String getHostname() {
		return this.hostname;
	}

	public void setHostname(@Nullable String hostname) {
		this.hostname = hostname;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable Integer getConnections() {
		return this.connections;
	}

	public void setConnections(@Nullable Integer connections) {
		this.connections = connections;
	}

	public @Nullable Duration getGracePeriod() {
		return this.gracePeriod;
	}

	public void setGracePeriod(@Nullable Duration gracePeriod) {
		this.gracePeriod = gracePeriod;
	}

	public @Nullable String getToken() {
		return this.token;
	}

	public void setToken(@Nullable String token) {
		this.token = token;
	}

	public @Nullable Path getCredentialsDir() {
		return this.credentialsDir;
	}

	public void setCredentialsDir(@Nullable Path credentialsDir) {
		this.credentialsDir = credentialsDir;
	}

	public Startup getStartup() {
		return this.startup;
	}

	public Edge getEdge() {
		return this.edge;
	}

	public Reconnect getReconnect() {
		return this.reconnect;
	}

	public Heartbeat getHeartbeat() {
		return this.heartbeat;
	}

	public Management getManagement() {
		return this.management;
	}

	public Origin getOrigin() {
		return this.origin;
	}

	public static class Edge {

		/**
		 * Edge addresses to dial, as host:port. The edge's certificate must be valid for each
		 * host. Default: the addresses a connector token names, else localhost:7844.
		 */
		private List<String> addresses = new ArrayList<>();

		/**
		 * PEM file of the edge's CA certificate, the only certificate the tunnel trusts. The
		 * edge writes it to ca.pem in its data directory. Default: with a connector token, the CA
		 * the edge serves, trusted only if it matches the token's pin; else ~/.warp/edge/ca.pem.
		 */
		private @Nullable Path caCertificate;

		/**
		 * Name of an SSL bundle (spring.ssl.bundle.*) whose trust store holds the edge's CA
		 * certificate, instead of warp.edge.ca-certificate.
		 */
		private @Nullable String sslBundle;

		/**
		 * Time allowed for the TCP connection and the TLS handshake with an edge.
		 */
		private @Nullable Duration connectTimeout;

		/**
		 * Time allowed for the edge to accept the registration once TLS is up.
		 */
		private @Nullable Duration registrationTimeout;

		/**
		 * How often the tunnel checks that its connections are spread over edge nodes; when
		 * more than half share one node while another address may lead elsewhere, one
		 * connection moves (the new one registers before the old one drains).
		 */
		private @Nullable Duration rebalanceInterval;

		/**
		 * Base URL of the edge's provisioning API (https://host:port). Default: the URL a
		 * connector token names, else the host of the first edge address on port 7847.
		 */
		private @Nullable URI provisioningUrl;

		public @Nullable URI getProvisioningUrl() {
			return this.provisioningUrl;
		}

		public void setProvisioningUrl(@Nullable URI provisioningUrl) {
			this.provisioningUrl = provisioningUrl;
		}

		public @Nullable Duration getRebalanceInterval() {
			return this.rebalanceInterval;
		}

		public void setRebalanceInterval(@Nullable Duration rebalanceInterval) {
			this.rebalanceInterval = rebalanceInterval;
		}

		public List<String> getAddresses() {
			return this.addresses;
		}

		public void setAddresses(List<String> addresses) {
			this.addresses = addresses;
		}

		public @Nullable String getSslBundle() {
			return this.sslBundle;
		}

		public void setSslBundle(@Nullable String sslBundle) {
			this.sslBundle = sslBundle;
		}

		public @Nullable Path getCaCertificate() {
			return this.caCertificate;
		}

		public void setCaCertificate(@Nullable Path caCertificate) {
			this.caCertificate = caCertificate;
		}

		public @Nullable Duration getConnectTimeout() {
			return this.connectTimeout;
		}

		public void setConnectTimeout(@Nullable Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
		}

		public @Nullable Duration getRegistrationTimeout() {
			return this.registrationTimeout;
		}

		public void setRegistrationTimeout(@Nullable Duration registrationTimeout) {
			this.registrationTimeout = registrationTimeout;
		}

	}

	public static class Startup {

		/**
		 * How long application startup waits for the tunnel to register at an edge before it
		 * fails. Zero (the default) does not wait: an edge outage must not stop the application
		 * from booting, the tunnel keeps retrying in the background. A refused token fails startup
		 * either way, once the edge answered.
		 */
		private Duration waitForEdge = Duration.ZERO;

		public Duration getWaitForEdge() {
			return this.waitForEdge;
		}

		public void setWaitForEdge(Duration waitForEdge) {
			this.waitForEdge = waitForEdge;
		}

	}

	public static class Reconnect {

		/**
		 * Upper bound of the delay before the first reconnect attempt; it doubles with each
		 * consecutive failure, and each actual delay is random below the bound (full jitter).
		 */
		private @Nullable Duration initialDelay;

		/**
		 * Largest delay between two reconnect attempts.
		 */
		private @Nullable Duration maxDelay;

		public @Nullable Duration getInitialDelay() {
			return this.initialDelay;
		}

		public void setInitialDelay(@Nullable Duration initialDelay) {
			this.initialDelay = initialDelay;
		}

		public @Nullable Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(@Nullable Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

	}

	public static class Heartbeat {

		/**
		 * Interval of the HTTP/2 PINGs on every tunnel connection, which measure the round-trip
		 * time and detect a peer that stopped answering.
		 */
		private @Nullable Duration interval;

		/**
		 * Number of unanswered heartbeats in a row after which a connection is declared dead,
		 * closed and replaced.
		 */
		private @Nullable Integer maxMissed;

		public @Nullable Duration getInterval() {
			return this.interval;
		}

		public void setInterval(@Nullable Duration interval) {
			this.interval = interval;
		}

		public @Nullable Integer getMaxMissed() {
			return this.maxMissed;
		}

		public void setMaxMissed(@Nullable Integer maxMissed) {
			this.maxMissed = maxMissed;
		}

	}

	public static class Management {

		/**
		 * Whether the tunnel serves the application's management endpoints (Actuator) when they
		 * share the server's port. When not, they answer 404 through the tunnel, as if absent.
		 * When they are, the warp endpoint's write operations (drain, reconnect) are still
		 * refused through the tunnel, with 403. The application's own port serves them either
		 * way.
		 */
		private boolean exposed;

		public boolean isExposed() {
			return this.exposed;
		}

		public void setExposed(boolean exposed) {
			this.exposed = exposed;
		}

	}

	public static class Origin {

		/**
		 * Name of an SSL bundle (spring.ssl.bundle.*) whose key store holds the origin
		 * certificate and its key, instead of the credentials directory and the token. The tunnel
		 * uses them as they are and does not renew them.
		 */
		private @Nullable String sslBundle;

		public @Nullable String getSslBundle() {
			return this.sslBundle;
		}

		public void setSslBundle(@Nullable String sslBundle) {
			this.sslBundle = sslBundle;
		}

	}

}
