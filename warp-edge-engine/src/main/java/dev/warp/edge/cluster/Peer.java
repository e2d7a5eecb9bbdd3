package dev.warp.edge.cluster;

/**
 * Another edge node of the cluster, as its lease in Redis names it.
 *
 * @param nodeId the node's id
 * @param host the host of its peer listener, as the node advertises it
 * @param port the port of its peer listener
 */
public record Peer(String nodeId, String host, int port) {

	/**
	 * A peer from the value of its lease, {@code host:port} ({@code [v6]:port} for an IPv6
	 * address).
	 * @throws IllegalArgumentException when the address is not {@code host:port}
	 */
	static Peer parse(String nodeId, String address) {
		int colon = address.lastIndexOf(':');
		if (colon <= 0 || colon == address.length() - 1) {
			throw new IllegalArgumentException("Not host:port: '" + address + "'");
		}
		String host = address.substring(0, colon);
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		return new Peer(nodeId, host, Integer.parseInt(address.substring(colon + 1)));
	}

	/** The lease value of a peer listener: {@code host:port}, an IPv6 address in brackets. */
	static String address(String host, int port) {
		return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
	}

	/** {@code host:port}, as in the node's lease. */
	public String address() {
		return address(this.host, this.port);
	}

	@Override
	public String toString() {
		return this.nodeId + "@" + address();
	}

}
