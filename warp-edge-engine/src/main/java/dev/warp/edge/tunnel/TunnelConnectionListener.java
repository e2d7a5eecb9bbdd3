package dev.warp.edge.tunnel;

import org.jspecify.annotations.Nullable;

/**
 * Told when a tunnel connection registers a hostname and when it goes away, so that routing
 * follows connections without the tunnel knowing about routing. Called on the connection's event
 * loop: implementations must not block.
 */
public interface TunnelConnectionListener {

	/**
	 * The connection registered its hostname: it joins the hostname's pool and can take requests,
	 * unless it may not.
	 * @return {@code null} when it joined, or why it may not, in words for the agent's operator
	 * (the connection is then refused and closed)
	 */
	@Nullable String registered(TunnelConnection connection);

	/** The connection registered before and is now closed (or its control stream ended). */
	void unregistered(TunnelConnection connection);

}
