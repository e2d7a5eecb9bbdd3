package dev.warp.edge.app;

import java.util.ArrayList;
import java.util.List;

import dev.warp.edge.EdgeSettings;

/**
 * Settings of routing, under {@code edge.routing.}: which agents serve which hostnames.
 */
public class RoutingProperties {

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


	void applyTo(EdgeSettings.Builder builder) {
		try {
			builder.sharedHostnames(this.sharedHostnames);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("edge.routing.shared-hostnames: " + ex.getMessage(), ex);
		}
	}

}
