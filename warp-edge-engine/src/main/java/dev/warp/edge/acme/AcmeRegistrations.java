package dev.warp.edge.acme;

import dev.warp.edge.tunnel.TunnelConnection;
import dev.warp.edge.tunnel.TunnelConnectionListener;
import org.jspecify.annotations.Nullable;

/**
 * Orders a hostname's certificate as soon as an agent registers it, so that the first visitor
 * finds it ready: wraps the route table's listener, and changes nothing of what it decides.
 */
public final class AcmeRegistrations implements TunnelConnectionListener {

	private final TunnelConnectionListener routing;

	private final AcmeCertificates certificates;

	public AcmeRegistrations(TunnelConnectionListener routing, AcmeCertificates certificates) {
		this.routing = routing;
		this.certificates = certificates;
	}

	@Override
	public @Nullable String registered(TunnelConnection connection) {
		String refusal = this.routing.registered(connection);
		String hostname = connection.hostname();
		if (refusal == null && hostname != null) {
			this.certificates.want(hostname);
		}
		return refusal;
	}

	@Override
	public void unregistered(TunnelConnection connection) {
		this.routing.unregistered(connection);
	}

}
