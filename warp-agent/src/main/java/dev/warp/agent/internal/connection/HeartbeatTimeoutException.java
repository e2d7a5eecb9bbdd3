package dev.warp.agent.internal.connection;

/** The edge stopped answering heartbeats: the connection is dead and is replaced. */
public class HeartbeatTimeoutException extends TunnelException {

	public HeartbeatTimeoutException(String message) {
		super(message);
	}

}
