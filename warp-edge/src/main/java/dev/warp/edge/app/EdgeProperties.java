package dev.warp.edge.app;

import java.nio.file.Path;

import dev.warp.edge.EdgeSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.bind.Name;

/**
 * Configuration of the runnable edge, under {@code edge.}: what the operator set, each group in
 * its own type. {@link #toSettings()} copies what is set onto {@link EdgeSettings}, whose
 * builders own the defaults; the configuration metadata shows them
 * ({@code META-INF/additional-spring-configuration-metadata.json}, checked against the settings
 * by a test).
 */
@ConfigurationProperties("edge")
public class EdgeProperties {

	/**
	 * Public listener, where visitors' HTTP requests arrive.
	 */
	@Name("public")
	@NestedConfigurationProperty
	private final PublicProperties publicListener = new PublicProperties();

	/**
	 * Tunnel listener, which agents dial.
	 */
	@NestedConfigurationProperty
	private final TunnelProperties tunnel = new TunnelProperties();

	/**
	 * API listener (status).
	 */
	@NestedConfigurationProperty
	private final ApiProperties api = new ApiProperties();

	/**
	 * Forwarding of requests to agents.
	 */
	@NestedConfigurationProperty
	private final ProxyProperties proxy = new ProxyProperties();

	/**
	 * Which agents serve which hostnames.
	 */
	@NestedConfigurationProperty
	private final RoutingProperties routing = new RoutingProperties();

	/**
	 * Membership of a cluster of edge nodes that share their route table through Redis.
	 */
	@NestedConfigurationProperty
	private final ClusterProperties cluster = new ClusterProperties();

	/**
	 * Provisioning API and origin certificates.
	 */
	@NestedConfigurationProperty
	private final ProvisioningProperties provisioning = new ProvisioningProperties();

	/**
	 * How agents reach this edge from where they run, as connector tokens tell them.
	 */
	@NestedConfigurationProperty
	private final AdvertisedProperties advertised = new AdvertisedProperties();

	/**
	 * Id of this edge node, shown in logs, in Warp-Ray ids and to agents. Default: "edge-" and 6
	 * random hex characters.
	 */
	private @Nullable String nodeId;

	/**
	 * Address every listener binds to.
	 */
	private @Nullable String bindAddress;

	/**
	 * Directory of the edge's CA (ca.pem, which agents trust), its tunnel certificate and keys.
	 * Default: ~/.warp/edge.
	 */
	private @Nullable Path dataDir;

	public @Nullable String getNodeId() {
		return this.nodeId;
	}

	public void setNodeId(@Nullable String nodeId) {
		this.nodeId = nodeId;
	}

	public @Nullable String getBindAddress() {
		return this.bindAddress;
	}

	public void setBindAddress(@Nullable String bindAddress) {
		this.bindAddress = bindAddress;
	}

	public @Nullable Path getDataDir() {
		return this.dataDir;
	}

	public void setDataDir(@Nullable Path dataDir) {
		this.dataDir = dataDir;
	}

	public PublicProperties getPublicListener() {
		return this.publicListener;
	}

	public TunnelProperties getTunnel() {
		return this.tunnel;
	}

	public ApiProperties getApi() {
		return this.api;
	}

	public ProxyProperties getProxy() {
		return this.proxy;
	}

	public RoutingProperties getRouting() {
		return this.routing;
	}

	public ClusterProperties getCluster() {
		return this.cluster;
	}

	public ProvisioningProperties getProvisioning() {
		return this.provisioning;
	}

	public AdvertisedProperties getAdvertised() {
		return this.advertised;
	}

	/** The settings of the node these properties describe. */
	public EdgeSettings toSettings() {
		EdgeSettings.Builder builder = EdgeSettings.builder();
		PropertyMapper map = PropertyMapper.get();
		map.from(this::getNodeId).whenHasText().as(String::trim).to(builder::nodeId);
		map.from(this::getBindAddress).to(builder::bindAddress);
		map.from(this::getDataDir).to(builder::dataDir);
		this.publicListener.applyTo(builder.publicListener());
		this.publicListener.getTls().getAcme().applyTo(builder.acme());
		this.tunnel.applyTo(builder.tunnel());
		this.api.applyTo(builder);
		this.proxy.applyTo(builder.proxy());
		this.routing.applyTo(builder);
		this.cluster.applyTo(builder.cluster());
		builder.provisioning(this.provisioning.applyTo(builder.provisioning()));
		this.advertised.applyTo(builder.advertised());
		return builder.build();
	}

}
