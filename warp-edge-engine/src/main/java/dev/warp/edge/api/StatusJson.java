package dev.warp.edge.api;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warp.edge.acme.AcmeCertificates;
import dev.warp.edge.cluster.ClusterNode;
import dev.warp.edge.routing.ConnectionStatus;
import org.jspecify.annotations.Nullable;

/**
 * The status document, written by hand: it is small and fixed, and the edge has no JSON library
 * on its classpath. Every hostname lists its connections with their health, then its replicas
 * (one per agent id) with their readiness:
 *
 * <pre>
 * {"node":"edge-a","hostnames":{"shop.example.test":{"connections":[{"id":"edge-a-t1","agent":"4f1c2a",
 *  "agentConnection":"0","remote":"127.0.0.1:5555","state":"registered","ready":true,"activeStreams":0,
 *  "since":"2026-...","rttMillis":0.214,"latencyMillis":1.873,"errorRate":0,"answered":12,"failed":0}],
 *  "replicas":[{"agent":"4f1c2a","ready":true,"connections":1,"activeStreams":0}]}}}
 * </pre>
 */
final class StatusJson {

	private StatusJson() {
	}

	static String write(String nodeId, Map<String, List<ConnectionStatus>> hostnames) {
		return write(nodeId, hostnames, null);
	}

	/**
	 * The status document with, when the node has an ACME CA, an {@code acme} object: per hostname
	 * its certificate's expiry and renewal time, and its last failed order, if any:
	 * {@code "acme":{"shop.example.test":{"notAfter":"…","renewAt":"…","lastError":null,"retryAt":null}}}.
	 */
	static String write(String nodeId, Map<String, List<ConnectionStatus>> hostnames,
			@Nullable List<AcmeCertificates.Status> acme) {
		return write(nodeId, hostnames, acme, null, null);
	}

	/**
	 * The status document with, in a cluster, a {@code cluster} object: its Redis server and every
	 * node with its peer listener and the hostnames it serves,
	 * {@code "cluster":{"redis":"…","nodes":[{"id":"edge-a","peer":"…","hostnames":["…"]}]}}, or
	 * {@code "error"} instead of {@code "nodes"} when Redis did not answer; and ending, when
	 * {@code time} is given, with the time of the snapshot on the node's clock,
	 * {@code "time":"2026-…Z"}, against which the dashboard computes request rates.
	 */
	static String write(String nodeId, Map<String, List<ConnectionStatus>> hostnames,
			@Nullable List<AcmeCertificates.Status> acme, @Nullable Cluster cluster, @Nullable Instant time) {
		StringBuilder json = new StringBuilder(256);
		json.append("{\"node\":");
		string(json, nodeId);
		json.append(",\"hostnames\":{");
		boolean firstHostname = true;
		for (Map.Entry<String, List<ConnectionStatus>> entry : hostnames.entrySet()) {
			if (!firstHostname) {
				json.append(',');
			}
			firstHostname = false;
			string(json, entry.getKey());
			json.append(":{\"connections\":[");
			boolean firstConnection = true;
			for (ConnectionStatus connection : entry.getValue()) {
				if (!firstConnection) {
					json.append(',');
				}
				firstConnection = false;
				connection(json, connection);
			}
			json.append("],\"replicas\":[");
			replicas(json, entry.getValue());
			json.append("]}");
		}
		json.append('}');
		if (acme != null) {
			acme(json, acme);
		}
		if (cluster != null) {
			cluster(json, cluster);
		}
		if (time != null) {
			json.append(",\"time\":");
			string(json, time.truncatedTo(ChronoUnit.MILLIS).toString());
		}
		return json.append('}').toString();
	}

	private static void acme(StringBuilder json, List<AcmeCertificates.Status> statuses) {
		json.append(",\"acme\":{");
		boolean first = true;
		for (AcmeCertificates.Status status : statuses) {
			if (!first) {
				json.append(',');
			}
			first = false;
			string(json, status.hostname());
			json.append(":{\"notAfter\":");
			string(json, (status.notAfter() != null) ? status.notAfter().toString() : null);
			json.append(",\"renewAt\":");
			string(json, (status.renewAt() != null) ? status.renewAt().toString() : null);
			json.append(",\"lastError\":");
			string(json, status.lastError());
			json.append(",\"retryAt\":");
			string(json, (status.retryAt() != null) ? status.retryAt().toString() : null);
			json.append('}');
		}
		json.append('}');
	}

	private static void cluster(StringBuilder json, Cluster cluster) {
		json.append(",\"cluster\":{\"redis\":");
		string(json, cluster.redis());
		if (cluster.nodes() == null) {
			json.append(",\"error\":");
			string(json, cluster.error());
			json.append('}');
			return;
		}
		json.append(",\"nodes\":[");
		for (int i = 0; i < cluster.nodes().size(); i++) {
			ClusterNode node = cluster.nodes().get(i);
			json.append((i > 0) ? ",{\"id\":" : "{\"id\":");
			string(json, node.id());
			json.append(",\"peer\":");
			string(json, node.peer());
			json.append(",\"hostnames\":[");
			for (int j = 0; j < node.hostnames().size(); j++) {
				if (j > 0) {
					json.append(',');
				}
				string(json, node.hostnames().get(j));
			}
			json.append("]}");
		}
		json.append("]}");
	}

	/** Connections grouped by agent, in the order of each agent's first connection. */
	private static void replicas(StringBuilder json, List<ConnectionStatus> connections) {
		Map<String, List<ConnectionStatus>> byAgent = new LinkedHashMap<>();
		for (ConnectionStatus connection : connections) {
			byAgent.computeIfAbsent(String.valueOf(connection.agent()), (agent) -> new ArrayList<>()).add(connection);
		}
		boolean first = true;
		for (Map.Entry<String, List<ConnectionStatus>> replica : byAgent.entrySet()) {
			if (!first) {
				json.append(',');
			}
			first = false;
			List<ConnectionStatus> replicaConnections = replica.getValue();
			json.append("{\"agent\":");
			string(json, replicaConnections.get(0).agent());
			json.append(",\"ready\":").append(replicaConnections.stream().anyMatch(ConnectionStatus::ready));
			json.append(",\"connections\":").append(replicaConnections.size());
			json.append(",\"activeStreams\":")
				.append(replicaConnections.stream().mapToInt(ConnectionStatus::activeStreams).sum());
			json.append('}');
		}
	}

	private static void connection(StringBuilder json, ConnectionStatus connection) {
		json.append("{\"id\":");
		string(json, connection.id());
		json.append(",\"agent\":");
		string(json, connection.agent());
		json.append(",\"agentConnection\":");
		string(json, connection.agentConnection());
		json.append(",\"remote\":");
		string(json, connection.remote());
		json.append(",\"state\":");
		string(json, connection.state());
		json.append(",\"ready\":").append(connection.ready());
		json.append(",\"activeStreams\":").append(connection.activeStreams());
		json.append(",\"since\":");
		string(json, connection.since().toString());
		json.append(",\"rttMillis\":");
		number(json, connection.rttMillis());
		json.append(",\"latencyMillis\":");
		number(json, connection.latencyMillis());
		json.append(",\"errorRate\":");
		number(json, connection.errorRate());
		json.append(",\"answered\":").append(connection.answered());
		json.append(",\"failed\":").append(connection.failed());
		json.append('}');
	}

	/**
	 * What the shared route table says of the cluster.
	 * @param redis {@code host:port} of its Redis server
	 * @param nodes every node, or {@code null} when Redis did not answer
	 * @param error why Redis did not answer
	 */
	record Cluster(String redis, @Nullable List<ClusterNode> nodes, @Nullable String error) {
	}

	/** A number with at most 3 decimals, or {@code null}. */
	static void number(StringBuilder json, @Nullable Double value) {
		if (value == null || value.isNaN() || value.isInfinite()) {
			json.append("null");
			return;
		}
		json.append(BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString());
	}

	/** A JSON string (RFC 8259 section 7), or {@code null}. */
	static void string(StringBuilder json, @Nullable String value) {
		if (value == null) {
			json.append("null");
			return;
		}
		json.append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				case '\b' -> json.append("\\b");
				case '\f' -> json.append("\\f");
				default -> {
					// Also escape the line separators some JavaScript parsers reject.
					if (c < 0x20 || c == '\u2028' || c == '\u2029') {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		json.append('"');
	}

}
