package dev.warp.edge;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import dev.warp.edge.provisioning.ProvisioningSettings;
import dev.warp.edge.provisioning.Zones;
import org.jspecify.annotations.Nullable;

/**
 * The settings of one {@link EdgeNode}. Immutable; made with {@link #builder()}, where every
 * setting has a default that works on one machine with no setup. The settings come in groups
 * ({@link #publicListener()}, {@link #tunnel()}, {@link #proxy()}, {@link #cluster()},
 * {@link #provisioning()}, {@link #advertised()}, {@link #acme()}), whose builders own the defaults; the
 * accessors of single settings here read the groups.
 */
public final class EdgeSettings implements EdgeSettingsShortcuts {

	private final String nodeId;

	private final String bindAddress;

	private final int apiPort;

	private final String apiAddress;

	private final Path dataDir;

	private final Set<String> sharedHostnames;

	private final PublicListenerSettings publicListener;

	private final TunnelListenerSettings tunnel;

	private final List<String> tunnelCertificateNames;

	private final ProxySettings proxy;

	private final ClusterSettings cluster;

	private final ProvisioningSettings provisioning;

	private final AdvertisedSettings advertised;

	private final AcmeSettings acme;

	private EdgeSettings(Builder builder) {
		this.nodeId = (builder.nodeId != null) ? builder.nodeId : "edge-" + randomHex(3);
		this.bindAddress = builder.bindAddress;
		this.apiPort = builder.apiPort;
		this.apiAddress = builder.apiAddress;
		this.dataDir = (builder.dataDir != null) ? builder.dataDir
				: Path.of(System.getProperty("user.home"), ".warp", "edge");
		this.sharedHostnames = builder.sharedHostnames;
		this.publicListener = builder.publicListener.build();
		this.tunnel = builder.tunnel.build();
		this.proxy = builder.proxy.build();
		this.cluster = builder.cluster.build(this.bindAddress);
		this.provisioning = builder.provisioning;
		this.advertised = builder.advertised.build();
		this.acme = builder.acme.build();
		// The names agents dial must be on the tunnel certificate, which the provisioning API shows too.
		Set<String> names = new LinkedHashSet<>(this.tunnel.certificateNames());
		names.addAll(this.advertised.hosts());
		this.tunnelCertificateNames = List.copyOf(names);
	}

	public static Builder builder() {
		return new Builder();
	}

	/** The id of this node, in logs, {@code Warp-Ray} ids and on every control stream. */
	public String nodeId() {
		return this.nodeId;
	}

	/** The address every listener but the API's binds to. */
	public String bindAddress() {
		return this.bindAddress;
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

	/**
	 * Hostnames whose pools take the agents of every account; every other hostname is served by
	 * the agents of one account at a time.
	 */
	public Set<String> sharedHostnames() {
		return this.sharedHostnames;
	}

	/** The public listeners, where visitors' requests arrive, and their limits. */
	@Override
	public PublicListenerSettings publicListener() {
		return this.publicListener;
	}

	/** The tunnel listener, which agents dial, and how their connections are kept. */
	@Override
	public TunnelListenerSettings tunnel() {
		return this.tunnel;
	}

	/** How requests are forwarded to agents. */
	@Override
	public ProxySettings proxy() {
		return this.proxy;
	}

	/** Membership of a cluster of edge nodes and the peer listener. */
	@Override
	public ClusterSettings cluster() {
		return this.cluster;
	}

	/** The provisioning API's port, origin certificates' lifetime, revocation checks. */
	@Override
	public ProvisioningSettings provisioning() {
		return this.provisioning;
	}

	/** How agents reach this edge, as connector tokens tell them. */
	@Override
	public AdvertisedSettings advertised() {
		return this.advertised;
	}

	/** Certificates of the TLS public listener from an ACME CA; {@link AcmeSettings#enabled() off} by default. */
	public AcmeSettings acme() {
		return this.acme;
	}

	/** DNS names and IP addresses of the edge's tunnel certificate (its SANs), advertised hosts included. */
	public List<String> tunnelCertificateNames() {
		return this.tunnelCertificateNames;
	}

	@Override
	public String toString() {
		return "EdgeSettings[nodeId=" + this.nodeId + ", bindAddress=" + this.bindAddress + ", publicPort="
				+ publicPort() + ", tunnelPort=" + tunnelPort() + ", apiPort=" + this.apiPort + ", dataDir="
				+ this.dataDir + ", tunnelCertificateNames=" + this.tunnelCertificateNames + ", responseTimeout="
				+ responseTimeout() + ", registrationTimeout=" + registrationTimeout() + "]";
	}

	static String randomHex(int bytes) {
		byte[] random = new byte[bytes];
		new SecureRandom().nextBytes(random);
		return HexFormat.of().formatHex(random);
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

		/** The names of the certificate the edge issues when none are given: this machine's loopback. */
		public static final List<String> DEFAULT_CERTIFICATE_NAMES = List.of("localhost", "127.0.0.1");

		public PublicTls {
			Checks.port(port);
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

	/**
	 * Builds {@link EdgeSettings}; every setting left unset takes its default. The node-wide
	 * settings are set here, the others on their groups' builders ({@link #publicListener()},
	 * {@link #tunnel()} …) or through the shortcuts of {@link EdgeSettingsBuilderShortcuts}.
	 */
	public static final class Builder implements EdgeSettingsBuilderShortcuts {

		private @Nullable String nodeId;

		private String bindAddress = "0.0.0.0";

		private int apiPort = 7845;

		private String apiAddress = "127.0.0.1";

		private @Nullable Path dataDir;

		private Set<String> sharedHostnames = Set.of();

		private final PublicListenerSettings.Builder publicListener = new PublicListenerSettings.Builder();

		private final TunnelListenerSettings.Builder tunnel = new TunnelListenerSettings.Builder();

		private final ProxySettings.Builder proxy = new ProxySettings.Builder();

		private final ClusterSettings.Builder cluster = new ClusterSettings.Builder();

		private final AdvertisedSettings.Builder advertised = new AdvertisedSettings.Builder();

		private ProvisioningSettings provisioning = ProvisioningSettings.defaults();

		private final AcmeSettings.Builder acme = new AcmeSettings.Builder();

		private Builder() {
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

		/** Default: {@code 7845}; {@code 0} picks a free port. */
		public Builder apiPort(int apiPort) {
			this.apiPort = Checks.port(apiPort);
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

		@Override
		public PublicListenerSettings.Builder publicListener() {
			return this.publicListener;
		}

		@Override
		public TunnelListenerSettings.Builder tunnel() {
			return this.tunnel;
		}

		@Override
		public ProxySettings.Builder proxy() {
			return this.proxy;
		}

		@Override
		public ClusterSettings.Builder cluster() {
			return this.cluster;
		}

		@Override
		public AdvertisedSettings.Builder advertised() {
			return this.advertised;
		}

		/** Default: {@link ProvisioningSettings#defaults()}. */
		@Override
		public Builder provisioning(ProvisioningSettings provisioning) {
			this.provisioning = Objects.requireNonNull(provisioning, "provisioning");
			return this;
		}

		@Override
		public ProvisioningSettings provisioning() {
			return this.provisioning;
		}

		/** The ACME settings of the TLS public listener. */
		public AcmeSettings.Builder acme() {
			return this.acme;
		}

		public EdgeSettings build() {
			return new EdgeSettings(this);
		}

	}

}
