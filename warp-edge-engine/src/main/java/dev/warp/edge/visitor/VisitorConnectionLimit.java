package dev.warp.edge.visitor;

import java.net.SocketAddress;

import dev.warp.edge.limit.ConnectionLimit;
import dev.warp.edge.log.RepeatedWarning;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the visitor connections open at once on an edge node's public listeners, cleartext and
 * TLS together, in total and per client address. A connection over either cap is closed as soon
 * as it is accepted. Without the total cap, a flood of visitors takes the process's file
 * descriptors, which the tunnel and peer listeners need too (agents could then not reconnect),
 * and the memory each connection may hold (a visitor who reads slowly holds up to a stream
 * window of its response). Without the cap per address, one client that fills the total cap
 * locks every other visitor out.
 */
public final class VisitorConnectionLimit {

	private static final Logger logger = LoggerFactory.getLogger(VisitorConnectionLimit.class);

	/** The default of {@code edge.public.max-connections-per-address}. */
	public static final int DEFAULT_MAX_PER_ADDRESS = 256;

	private final ConnectionLimit limit;

	private final RepeatedWarning overTotal;

	private final RepeatedWarning overAddress;

	/**
	 * @param max the visitor connections open at once, at least 1
	 * @param maxPerAddress the connections open at once from one client address, at least 1
	 */
	public VisitorConnectionLimit(int max, int maxPerAddress) {
		this.limit = new ConnectionLimit(max, maxPerAddress);
		this.overTotal = new RepeatedWarning(logger, "visitor connection(s) refused: " + max + " were open, the limit "
				+ "(edge.public.max-connections). Those visitors were disconnected at once; if this is legitimate "
				+ "traffic, raise edge.public.max-connections and the process's file-descriptor limit. Counted in "
				+ "warp.edge.public.connections.refused");
		this.overAddress = new RepeatedWarning(logger, "visitor connection(s) refused: their address had " + maxPerAddress
				+ " open, the limit (edge.public.max-connections-per-address). Those connections were closed at once; "
				+ "if many legitimate visitors share one address (a NAT), raise edge.public.max-connections-per-address. "
				+ "Counted in warp.edge.public.connections.refused");
	}

	/**
	 * The default limit: nine tenths of the process's file-descriptor limit, leaving the rest to
	 * tunnel and peer connections, files and the JVM; no limit where the JVM cannot tell it.
	 */
	public static int defaultMax() {
		return ConnectionLimit.shareOfFileDescriptors(9, 10, Integer.MAX_VALUE);
	}

	/**
	 * Counts a visitor connection just accepted until it closes, or closes it at once when a
	 * limit is reached.
	 * @return whether the connection was admitted
	 */
	boolean admit(Channel channel) {
		SocketAddress remote = channel.remoteAddress();
		switch (this.limit.acquire(remote)) {
			case ADMITTED -> {
				channel.closeFuture().addListener((closed) -> this.limit.release(remote));
				return true;
			}
			case OVER_TOTAL -> {
				this.overTotal.occurred(String.valueOf(remote));
			}
			case OVER_CLIENT -> {
				this.overAddress.occurred(String.valueOf(remote));
			}
		}
		channel.close();
		return false;
	}

	/** The visitor connections open now. */
	public int open() {
		return this.limit.held();
	}

	/** The visitor connections closed at once because the total limit was reached, since the node started. */
	public long refusedOverTotal() {
		return this.limit.refusedOverTotal();
	}

	/** The visitor connections closed at once because their address's limit was reached, since the node started. */
	public long refusedOverAddress() {
		return this.limit.refusedOverClient();
	}

}
