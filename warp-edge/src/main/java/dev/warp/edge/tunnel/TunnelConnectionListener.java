package dev.warp.edge.tunnel;

/**
 * Told when a tunnel connection registers a hostname and when it goes away, so that routing
 * follows connections without the tunnel knowing about routing. Called on the connection's event
 * loop: implementations must not block.
 */
public interface TunnelConnectionListener {

	/** The connection registered its hostname and can take requests. */
	void registered(TunnelConnection connection);

	/** The connection registered before and is now closed (or its control stream ended). */
	void unregistered(TunnelConnection connection);

}
