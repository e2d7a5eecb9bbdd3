package dev.warp.edge.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.warp.edge.cluster.ClusterNode;
import dev.warp.edge.routing.ConnectionStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link StatusJson}.
 */
class StatusJsonTests {

	@Test
	void writesNodeHostnamesConnectionsAndReplicas() {
		Map<String, List<ConnectionStatus>> hostnames = new TreeMap<>();
		Instant since = Instant.parse("2026-01-02T03:04:05Z");
		hostnames.put("a.test",
				List.of(new ConnectionStatus("edge-a-t1", "agent-1", "0", "127.0.0.1:5555", "registered", true, 2, since,
						0.2144, 1.5, 0.0, 12, 0),
						new ConnectionStatus("edge-a-t2", "agent-2", "0", "127.0.0.1:5556", "registered", false, 0, since,
								null, null, 0.25, 3, 1),
						new ConnectionStatus("edge-a-t3", "agent-1", "1", "127.0.0.1:5557", "draining", true, 1, since,
								0.3, 2.0, 0.0, 5, 0)));
		hostnames.put("b.test", List.of());
		assertThat(StatusJson.write("edge-a", hostnames)).isEqualTo("{\"node\":\"edge-a\",\"hostnames\":{"
				+ "\"a.test\":{\"connections\":["
				+ "{\"id\":\"edge-a-t1\",\"agent\":\"agent-1\",\"agentConnection\":\"0\",\"remote\":\"127.0.0.1:5555\","
				+ "\"state\":\"registered\",\"ready\":true,\"activeStreams\":2,\"since\":\"2026-01-02T03:04:05Z\","
				+ "\"rttMillis\":0.214,\"latencyMillis\":1.5,\"errorRate\":0,\"answered\":12,\"failed\":0},"
				+ "{\"id\":\"edge-a-t2\",\"agent\":\"agent-2\",\"agentConnection\":\"0\",\"remote\":\"127.0.0.1:5556\","
				+ "\"state\":\"registered\",\"ready\":false,\"activeStreams\":0,\"since\":\"2026-01-02T03:04:05Z\","
				+ "\"rttMillis\":null,\"latencyMillis\":null,\"errorRate\":0.25,\"answered\":3,\"failed\":1},"
				+ "{\"id\":\"edge-a-t3\",\"agent\":\"agent-1\",\"agentConnection\":\"1\",\"remote\":\"127.0.0.1:5557\","
				+ "\"state\":\"draining\",\"ready\":true,\"activeStreams\":1,\"since\":\"2026-01-02T03:04:05Z\","
				+ "\"rttMillis\":0.3,\"latencyMillis\":2,\"errorRate\":0,\"answered\":5,\"failed\":0}],"
				+ "\"replicas\":[{\"agent\":\"agent-1\",\"ready\":true,\"connections\":2,\"activeStreams\":3},"
				+ "{\"agent\":\"agent-2\",\"ready\":false,\"connections\":1,\"activeStreams\":0}]},"
				+ "\"b.test\":{\"connections\":[],\"replicas\":[]}}}");
	}

	@Test
	void endsWithTheTimeOfTheSnapshotInMilliseconds() {
		assertThat(StatusJson.write("edge-a", Map.of(), null, null, Instant.parse("2026-01-02T03:04:05.678912Z")))
			.isEqualTo("{\"node\":\"edge-a\",\"hostnames\":{},\"time\":\"2026-01-02T03:04:05.678Z\"}");
	}

	@Test
	void listsEveryNodeOfTheClusterWithItsHostnames() {
		StatusJson.Cluster cluster = new StatusJson.Cluster("127.0.0.1:6379",
				List.of(new ClusterNode("edge-a", "10.0.0.1:7846", List.of("a.test", "b.test")),
						new ClusterNode("edge-b", "10.0.0.2:7846", List.of())),
				null);
		assertThat(StatusJson.write("edge-a", Map.of(), null, cluster, null))
			.isEqualTo("{\"node\":\"edge-a\",\"hostnames\":{},\"cluster\":{\"redis\":\"127.0.0.1:6379\",\"nodes\":["
					+ "{\"id\":\"edge-a\",\"peer\":\"10.0.0.1:7846\",\"hostnames\":[\"a.test\",\"b.test\"]},"
					+ "{\"id\":\"edge-b\",\"peer\":\"10.0.0.2:7846\",\"hostnames\":[]}]}}");
	}

	@Test
	void saysWhyTheClusterIsUnknownWhenRedisDidNotAnswer() {
		StatusJson.Cluster cluster = new StatusJson.Cluster("127.0.0.1:6379", null, "RedisCommandTimeoutException");
		assertThat(StatusJson.write("edge-a", Map.of(), null, cluster, null)).isEqualTo("{\"node\":\"edge-a\",\"hostnames\":{},"
				+ "\"cluster\":{\"redis\":\"127.0.0.1:6379\",\"error\":\"RedisCommandTimeoutException\"}}");
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
