package dev.warp.agent;

/**
 * Told what happens in a tunnel, to record it (as metrics, say). Called on the tunnel's event
 * loops: implementations must be quick, thread-safe and must not block. An exception thrown by
 * an observer is logged and otherwise ignored.
 *
 * @see TunnelStatistics#addObserver(TunnelObserver)
 */
public interface TunnelObserver {

	/** A tunneled request has ended: completed, failed or cancelled. */
	default void requestCompleted(TunnelRequest request) {
	}

	/**
	 * A connection is being replaced by a new one.
	 * @param connection the connection slot's index
	 * @param reason why
	 */
	default void reconnecting(int connection, ReconnectReason reason) {
	}

}
