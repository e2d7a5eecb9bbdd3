package dev.warp.edge.api;

import java.util.List;
import java.util.Map;

import dev.warp.edge.routing.ConnectionStatus;
import org.jspecify.annotations.Nullable;

/**
 * The status document, written by hand: it is small and fixed, and the edge has no JSON library
 * on its classpath.
 *
 * <pre>
 * {"node":"edge-a","hostnames":{"shop.example.test":{"connections":[{"id":"edge-a-t1","agent":"4f1c2a",
 *  "agentConnection":"0","remote":"127.0.0.1:5555","state":"registered","activeStreams":0,"since":"2026-..."}]}}}
 * </pre>
 */
final class StatusJson {

	private StatusJson() {
	}

	static String write(String nodeId, Map<String, List<ConnectionStatus>> hostnames) {
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
			json.append("]}");
		}
		return json.append("}}").toString();
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
		json.append(",\"activeStreams\":").append(connection.activeStreams());
		json.append(",\"since\":");
		string(json, connection.since().toString());
		json.append('}');
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
