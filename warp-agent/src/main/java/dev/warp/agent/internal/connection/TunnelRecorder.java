package dev.warp.agent.internal.connection;

import dev.warp.agent.ReconnectReason;
import dev.warp.agent.RequestOutcome;

/**
 * Where the tunnel's parts record what happens: requests, bytes, reconnects. The public
 * {@link dev.warp.agent.TunnelStatistics} is the read side, and tells its observers.
 */
public interface TunnelRecorder {

	/** Records a request that starts; pair with {@link #requestEnded}. */
	void requestStarted();

	/**
	 * Records a request that ended.
	 * @param method its HTTP method
	 * @param status the status sent, or {@code -1} for none
	 * @param outcome how it ended
	 * @param durationNanos how long it took
	 */
	void requestEnded(String method, int status, RequestOutcome outcome, long durationNanos);

	/** Records a connection being replaced. */
	void reconnecting(int connection, ReconnectReason reason);

	void bytesReceived(long bytes);

	void bytesSent(long bytes);

}
