package dev.warp.agent.internal.connection;

/** A tunnel connection could not be opened or kept, for a reason the message states. */
public class TunnelException extends RuntimeException {

	public TunnelException(String message) {
		super(message);
	}

	public TunnelException(String message, Throwable cause) {
		super(message, cause);
	}

}
