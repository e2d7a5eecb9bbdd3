package dev.warp.edge.exchange;

/**
 * No tunnel serves the request's hostname, on this node or (as far as the cluster's route table
 * says) on any other: the {@link Exchange} answers {@code 503} with this message.
 */
public final class NoTunnelException extends RuntimeException {

	public NoTunnelException(String message) {
		super(message, null, false, false);
	}

}
