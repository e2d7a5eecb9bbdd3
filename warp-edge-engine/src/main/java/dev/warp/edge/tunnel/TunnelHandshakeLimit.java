package dev.warp.edge.tunnel;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.warp.edge.limit.ConnectionLimit;
import dev.warp.edge.log.RepeatedWarning;
import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the tunnel connections that have not authenticated yet (their TLS handshake, which
 * verifies the agent's origin certificate, is not done), in total and per client address. One
 * over either cap is closed as soon as it is accepted, before any TLS work. Without it, idle TCP
 * connections to the tunnel port, each held for the handshake timeout, took the edge's file
 * descriptors and a real agent could not connect. An authenticated connection no longer counts:
 * agents are never refused for how many of them are connected.
 */
public final class TunnelHandshakeLimit {

	private static final Logger logger = LoggerFactory.getLogger(TunnelHandshakeLimit.class);

	/** The most the default of {@code edge.tunnel.max-handshakes-per-address} is. */
	static final int DEFAULT_MAX_PER_ADDRESS = 256;

	/** The most the default of {@code edge.tunnel.max-handshakes} is. */
	static final int DEFAULT_MAX = 1024;

	private final ConnectionLimit limit;

	private final RepeatedWarning overTotal;

	private final RepeatedWarning overAddress;

	/**
	 * @param max tunnel connections in their handshake at once, at least 1
	 * @param maxPerAddress of them from one client address, at least 1
	 */
	public TunnelHandshakeLimit(int max, int maxPerAddress) {
		this.limit = new ConnectionLimit(max, maxPerAddress);
		this.overTotal = new RepeatedWarning(logger, "tunnel connection(s) refused before TLS: " + max
				+ " were in their handshake, the limit (edge.tunnel.max-handshakes). Agents retry; if this is a "
				+ "legitimate crowd of agents, raise edge.tunnel.max-handshakes. Counted in "
				+ "warp.edge.tunnel.connections.refused");
		this.overAddress = new RepeatedWarning(logger, "tunnel connection(s) refused before TLS: their address had "
				+ maxPerAddress + " in their handshake, the limit (edge.tunnel.max-handshakes-per-address). If many "
				+ "agents share one address (a NAT), raise it. Counted in warp.edge.tunnel.connections.refused");
	}

	/**
	 * The default limit: a twentieth of the process's file-descriptor limit, at most
	 * {@value #DEFAULT_MAX}; {@value #DEFAULT_MAX} where the JVM cannot tell the limit.
	 */
	public static int defaultMax() {
		return ConnectionLimit.shareOfFileDescriptors(1, 20, DEFAULT_MAX);
	}

	/**
	 * The default limit per address: a quarter of the total, at most {@value #DEFAULT_MAX_PER_ADDRESS},
	 * so that one address cannot hold every place and lock the agents of others out.
	 */
	public static int defaultMaxPerAddress(int max) {
		return Math.max(1, Math.min(DEFAULT_MAX_PER_ADDRESS, max / 4));
	}

	/**
	 * Counts a tunnel connection just accepted until it authenticates or closes, or closes it at
	 * once when a limit is reached.
	 * @return what ends its count when it authenticated, to run once; {@code null} when it was refused
	 */
	@Nullable Runnable admit(Channel channel) {
		SocketAddress remote = channel.remoteAddress();
		switch (this.limit.acquire(remote)) {
			case ADMITTED -> {
				AtomicBoolean released = new AtomicBoolean();
				Runnable release = () -> {
					if (released.compareAndSet(false, true)) {
						this.limit.release(remote);
					}
				};
				channel.closeFuture().addListener((closed) -> release.run());
				return release;
			}
			case OVER_TOTAL -> {
				this.overTotal.occurred(TunnelHandshake.format(remote));
			}
			case OVER_CLIENT -> {
				this.overAddress.occurred(TunnelHandshake.format(remote));
			}
		}
		channel.close();
		return null;
	}

	/** The tunnel connections in their handshake now. */
	public int handshakes() {
		return this.limit.held();
	}

	/** The tunnel connections closed at once because the total limit was reached, since the node started. */
	public long refusedOverTotal() {
		return this.limit.refusedOverTotal();
	}

	/** The tunnel connections closed at once because their address's limit was reached, since the node started. */
	public long refusedOverAddress() {
		return this.limit.refusedOverClient();
	}

}
