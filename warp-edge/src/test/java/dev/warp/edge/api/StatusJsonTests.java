package dev.warp.edge.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.warp.edge.routing.ConnectionStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link StatusJson}.
 */
class StatusJsonTests {

	@Test
	void writesNodeHostnamesAndConnections() {
		Map<String, List<ConnectionStatus>> hostnames = new TreeMap<>();
		hostnames.put("a.test", List.of(new ConnectionStatus("edge-a-t1", "agent-1", "0", "127.0.0.1:5555", "registered",
				2, Instant.parse("2026-01-02T03:04:05Z"))));
		hostnames.put("b.test", List.of());
		assertThat(StatusJson.write("edge-a", hostnames)).isEqualTo("{\"node\":\"edge-a\",\"hostnames\":{"
				+ "\"a.test\":{\"connections\":[{\"id\":\"edge-a-t1\",\"agent\":\"agent-1\",\"agentConnection\":\"0\","
				+ "\"remote\":\"127.0.0.1:5555\",\"state\":\"registered\",\"activeStreams\":2,"
				+ "\"since\":\"2026-01-02T03:04:05Z\"}]},\"b.test\":{\"connections\":[]}}}");
	}

	@Test
	void escapesStrings() {
		StringBuilder json = new StringBuilder();
		StatusJson.string(json, "a\"b\\c\nd\u0001e\u2028é");
		assertThat(json).hasToString("\"a\\\"b\\\\c\\nd\\u0001e\\u2028é\"");
		json.setLength(0);
		StatusJson.string(json, null);
		assertThat(json).hasToString("null");
	}

}
