package dev.warp.edge;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * How agents reach this edge from where they run, as connector tokens tell them. Part of
 * {@link EdgeSettings}, which owns the defaults through {@link Builder}.
 * @param tunnelAddresses the tunnel addresses ({@code host:port}) connector tokens name; empty
 * for the default, {@code localhost} and the tunnel port
 * @param provisioningUrl the provisioning API's URL connector tokens name, or {@code null} for
 * the default: the host of the first advertised tunnel address and the provisioning port
 */
public record AdvertisedSettings(List<String> tunnelAddresses, @Nullable URI provisioningUrl) {

	/** The hosts agents dial, which the tunnel certificate must name. */
	public Set<String> hosts() {
		Set<String> hosts = new LinkedHashSet<>();
		for (String address : this.tunnelAddresses) {
			hosts.add(unbracketed(address.substring(0, address.lastIndexOf(':'))));
		}
		if (this.provisioningUrl != null && this.provisioningUrl.getHost() != null) {
			hosts.add(unbracketed(this.provisioningUrl.getHost()));
		}
		return hosts;
	}

	private static String unbracketed(String host) {
		return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
	}

	/** Builds {@link AdvertisedSettings}; every setting left unset takes its default. */
	public static final class Builder {

		private List<String> tunnelAddresses = List.of();

		private @Nullable URI provisioningUrl;

		Builder() {
		}

		/**
		 * The tunnel addresses connector tokens name, {@code host:port} each; each host is added
		 * to the tunnel certificate's names. Default (empty): {@code localhost} and the tunnel port.
		 */
		public Builder tunnelAddresses(List<String> addresses) {
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
			this.tunnelAddresses = List.copyOf(copy);
			return this;
		}

		/**
		 * The provisioning URL connector tokens name, {@code https://host:port}. Default: the host
		 * of the first advertised tunnel address and the provisioning port.
		 */
		public Builder provisioningUrl(@Nullable URI url) {
			if (url != null && (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null)) {
				throw new IllegalArgumentException("edge.advertised.provisioning-url: '" + url
						+ "' is not https://host:port; give the URL agents reach the provisioning API at");
			}
			this.provisioningUrl = url;
			return this;
		}

		public AdvertisedSettings build() {
			return new AdvertisedSettings(this.tunnelAddresses, this.provisioningUrl);
		}

	}

}
