package dev.warp.edge.app;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import dev.warp.edge.AdvertisedSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.PropertyMapper;

/**
 * What connector tokens ({@code token create}) tell agents about this edge, under
 * {@code edge.advertised.}: what the operator set, applied to {@link AdvertisedSettings}.
 */
public class AdvertisedProperties {

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


	void applyTo(AdvertisedSettings.Builder builder) {
		PropertyMapper map = PropertyMapper.get();
		map.from(this::getTunnelAddresses).to(builder::tunnelAddresses);
		map.from(this::getProvisioningUrl).to(builder::provisioningUrl);
	}

}
