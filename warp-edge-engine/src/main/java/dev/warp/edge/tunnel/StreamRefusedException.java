package dev.warp.edge.tunnel;

/**
 * A request stream was not opened because its connection no longer takes new requests
 * (draining or closing). Nothing reached the agent, so the request can go elsewhere, whatever
 * its method.
 */
public class StreamRefusedException extends RuntimeException {

	public StreamRefusedException(String message) {
		super(message, null, false, false);
	}

}
