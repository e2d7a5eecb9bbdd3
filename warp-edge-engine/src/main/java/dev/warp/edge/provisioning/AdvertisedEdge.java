package dev.warp.edge.provisioning;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.List;

import dev.warp.core.token.CaPin;
import dev.warp.core.token.ConnectorToken;
import dev.warp.edge.EdgeSettings;

/**
 * How agents reach an edge, as its connector tokens tell them: the tunnel addresses to dial and
 * the provisioning API's URL. Configured with {@code edge.advertised.*}; by default
 * {@code localhost} with the edge's ports, which serves agents on the same machine.
 * @param tunnelAddresses {@code host:port} of the tunnel listener(s)
 * @param provisioningUrl {@code https://host:port} of the provisioning API
 */
public record AdvertisedEdge(List<String> tunnelAddresses, URI provisioningUrl) {

	private static final String DEFAULT_HOST = "localhost";

	public AdvertisedEdge {
		tunnelAddresses = List.copyOf(tunnelAddresses);
	}

	/**
	 * What an edge with these settings advertises.
	 * @param tunnelPort the tunnel listener's port, as bound or configured
	 * @param provisioningPort the provisioning API's port, as bound or configured
	 * @throws IllegalStateException when a port is {@code 0} (picked at each start) and no
	 * advertised address names one
	 */
	public static AdvertisedEdge of(EdgeSettings settings, int tunnelPort, int provisioningPort) {
		List<String> tunnel = settings.advertisedTunnelAddresses();
		if (tunnel.isEmpty()) {
			if (tunnelPort == 0) {
				throw new IllegalStateException("edge.tunnel.port is 0, a free port picked at each start, so a token cannot "
						+ "name it: set edge.tunnel.port to a fixed port, or edge.advertised.tunnel-addresses");
			}
			tunnel = List.of(DEFAULT_HOST + ":" + tunnelPort);
		}
		URI provisioning = settings.advertisedProvisioningUrl();
		if (provisioning == null) {
			if (provisioningPort == 0) {
				throw new IllegalStateException("edge.provisioning.port is 0, a free port picked at each start, so a token "
						+ "cannot name it: set edge.provisioning.port to a fixed port, or edge.advertised.provisioning-url");
			}
			String first = tunnel.get(0);
			provisioning = URI.create("https://" + first.substring(0, first.lastIndexOf(':')) + ":" + provisioningPort);
		}
		return new AdvertisedEdge(tunnel, provisioning);
	}

	/** The connector token of an account token just created, for an edge with this CA. */
	public ConnectorToken token(TokenStore.CreatedToken created, X509Certificate ca) {
		String bearer = created.secret();
		return new ConnectorToken(created.token().id(), bearer.substring(bearer.indexOf('.') + 1), this.tunnelAddresses,
				this.provisioningUrl, CaPin.of(ca));
	}

}
