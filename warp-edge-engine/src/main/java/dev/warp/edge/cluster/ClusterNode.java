package dev.warp.edge.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node of the cluster as the shared route table knows it: what the status API shows of every
 * node, this one included.
 *
 * @param id the node's id
 * @param peer its peer listener, {@code host:port}, as its lease names it
 * @param hostnames the hostnames it has an unexpired route entry for, sorted
 */
public record ClusterNode(String id, String peer, List<String> hostnames) {

	/**
	 * The nodes of two flat lists, sorted by id.
	 * @param leases node id and peer address pairs: every node that holds its lease
	 * @param routes hostname and node id pairs: every unexpired route entry
	 */
	static List<ClusterNode> of(List<?> leases, List<?> routes) {
		Map<String, List<String>> hostnames = new LinkedHashMap<>();
		for (int i = 0; i + 1 < routes.size(); i += 2) {
			hostnames.computeIfAbsent(String.valueOf(routes.get(i + 1)), (id) -> new ArrayList<>())
				.add(String.valueOf(routes.get(i)));
		}
		Map<String, ClusterNode> nodes = new TreeMap<>();
		for (int i = 0; i + 1 < leases.size(); i += 2) {
			String id = String.valueOf(leases.get(i));
			List<String> served = new ArrayList<>(hostnames.getOrDefault(id, List.of()));
			served.sort(null);
			nodes.put(id, new ClusterNode(id, String.valueOf(leases.get(i + 1)), List.copyOf(served)));
		}
		return List.copyOf(nodes.values());
	}

}
