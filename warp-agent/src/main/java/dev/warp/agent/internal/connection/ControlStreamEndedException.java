package dev.warp.agent.internal.connection;

/**
 * The edge ended a connection's control stream while the connection was open: it no longer
 * routes to the connection, which is closed and replaced.
 */
public class ControlStreamEndedException extends TunnelException {

	public ControlStreamEndedException(String message) {
		super(message);
	}

}
