package dev.warp.agent.internal.supervisor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.warp.agent.EdgeAddress;
import org.jspecify.annotations.Nullable;

/**
 * Decides which edge address a connection dials, so that the tunnel's connections spread over
 * distinct edge nodes. It learns which node each address leads to from the registrations (the
 * edge names itself on the control stream), so that two addresses of one node count as one, and
 * it keeps addresses that just failed out of the way for a while.
 */
final class EdgePlacement {

	private final List<EdgeAddress> addresses;

	private final Duration failurePenalty;

	private final Map<EdgeAddress, String> nodes = new ConcurrentHashMap<>();

	private final Map<EdgeAddress, Long> downUntil = new ConcurrentHashMap<>();

	EdgePlacement(List<EdgeAddress> addresses, Duration failurePenalty) {
		this.addresses = addresses;
		this.failurePenalty = failurePenalty;
	}

	/**
	 * The address to dial next.
	 * @param slot the slot's index: slots start out on different addresses
	 * @param load registered connections per edge node right now
	 * @param avoidNode a node not to land on, or {@code null}
	 * @return the least loaded address that is not known to be down, in the slot's rotation
	 * order; when every address is down, the one that comes back first
	 */
	EdgeAddress choose(int slot, Map<String, Integer> load, @Nullable String avoidNode) {
		long now = System.nanoTime();
		EdgeAddress best = null;
		int bestLoad = Integer.MAX_VALUE;
		EdgeAddress soonestBack = null;
		long soonest = Long.MAX_VALUE;
		int n = this.addresses.size();
		for (int i = 0; i < n; i++) {
			EdgeAddress address = this.addresses.get(Math.floorMod(slot + i, n));
			Long down = this.downUntil.get(address);
			if (down != null && down - now > 0) {
				if (down < soonest) {
					soonest = down;
					soonestBack = address;
				}
				continue;
			}
			String node = this.nodes.get(address);
			if (avoidNode != null && avoidNode.equals(node)) {
				continue;
			}
			int addressLoad = (node != null) ? load.getOrDefault(node, 0) : 0;
			if (addressLoad < bestLoad) {
				best = address;
				bestLoad = addressLoad;
			}
		}
		if (best != null) {
			return best;
		}
		return (soonestBack != null) ? soonestBack : this.addresses.get(Math.floorMod(slot, n));
	}

	/**
	 * An address that leads away from a node, for moving a connection there: one not known to
	 * be down and not known to lead to that node, or {@code null} when there is none.
	 */
	@Nullable EdgeAddress alternativeTo(String node, Map<String, Integer> load) {
		long now = System.nanoTime();
		EdgeAddress best = null;
		int bestLoad = Integer.MAX_VALUE;
		for (EdgeAddress address : this.addresses) {
			Long down = this.downUntil.get(address);
			String addressNode = this.nodes.get(address);
			if ((down != null && down - now > 0) || node.equals(addressNode)) {
				continue;
			}
			int addressLoad = (addressNode != null) ? load.getOrDefault(addressNode, 0) : 0;
			if (addressLoad < bestLoad) {
				best = address;
				bestLoad = addressLoad;
			}
		}
		return best;
	}

	void registered(EdgeAddress address, @Nullable String node) {
		this.downUntil.remove(address);
		if (node != null) {
			this.nodes.put(address, node);
		}
	}

	void failed(EdgeAddress address) {
		this.downUntil.put(address, System.nanoTime() + this.failurePenalty.toNanos());
	}

	@Nullable String nodeOf(EdgeAddress address) {
		return this.nodes.get(address);
	}

}
