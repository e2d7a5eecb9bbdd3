package dev.warp.edge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.warp.core.protocol.ControlMessage;
import dev.warp.edge.routing.ConnectionStatus;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard on the edge's API port, loaded in a real browser (headless Chromium) from a
 * running edge with two applications: what a person sees of the node, its hostnames, replicas
 * and connections. The screenshot stays in {@code target/dashboard/dashboard.png}.
 */
class EdgeDashboardTests {

	private static final String SHOP = "shop.example.test";

	private static final String API = "api.example.test";

	/** A replica id is the agent's to choose: the page must show it as text, never as markup. */
	private static final String HOSTILE_AGENT = "<img src=x onerror=alert(1)>";

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private final List<TestAgent> agents = new ArrayList<>();

	@AfterEach
	void stop() {
		this.agents.forEach(TestAgent::close);
		if (this.edge != null) {
			this.edge.close();
		}
	}

	@Test
	void pageIsServedAtTheRootAndAtDashboardWithAPolicyThatAllowsOnlyItself() {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).build());
		for (String path : List.of("/", "/dashboard")) {
			HttpHeaders headers = HttpClient.create()
				.get()
				.uri("http://127.0.0.1:" + this.edge.apiPort() + path)
				.responseSingle((response, body) -> body.asString()
					.filter((html) -> html.startsWith("<!DOCTYPE html>") && response.status().code() == 200)
					.map((html) -> response.responseHeaders()))
				.block(Visitor.TIMEOUT);
			assertThat(headers).as(path).isNotNull();
			assertThat(headers.get("content-type")).isEqualTo("text/html; charset=utf-8");
			assertThat(headers.get("content-security-policy"))
				.matches("default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]{44}'; script-src 'sha256-[A-Za-z0-9+/=]{44}'; "
						+ "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
			assertThat(headers.get("x-content-type-options")).isEqualTo("nosniff");
		}
	}

	@Test
	void chromiumShowsTheNodeHostnamesReplicasAndConnectionsWithTheirState() throws Exception {
		HeadlessChromium chromium = chromium();
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).heartbeat(Duration.ofMillis(200), 10).build());
		connect(SHOP, "shop-replica-1");
		connect(SHOP, "shop-replica-1");
		connect(SHOP, HOSTILE_AGENT).awaitControlStream().send(ControlMessage.of(ControlMessage.NOT_READY));
		connect(API, "api-replica-1");
		// Every connection has had a heartbeat's round trip, and the edge knows the replica is not ready.
		await().atMost(Duration.ofSeconds(5)).until(() -> connections().count() == 4
				&& connections().allMatch((connection) -> connection.rttMillis() != null)
				&& connections().anyMatch((connection) -> HOSTILE_AGENT.equals(connection.agent()) && !connection.ready()));
		String page = "http://127.0.0.1:" + this.edge.apiPort() + "/";
		AtomicBoolean visiting = new AtomicBoolean(true);
		// Requests go on while the page loads, for its rates.
		Thread visitors = new Thread(() -> {
			while (visiting.get()) {
				Visitor.get(this.edge, SHOP, "/hello");
				Visitor.get(this.edge, API, "/hello");
			}
		}, "visitors");
		visitors.setDaemon(true);
		visitors.start();
		String dom;
		try {
			dom = chromium.dumpDom(page, 4000);
			chromium.screenshot(page, 4000, Path.of("target", "dashboard", "dashboard.png"));
		}
		finally {
			visiting.set(false);
			visitors.join(Visitor.TIMEOUT.toMillis());
		}
		assertThat(dom).contains("<span class=\"node\" id=\"node\">edge-test</span>")
			.contains("id=\"live\">live, updated");
		assertThat(total(dom, "hostnames")).isEqualTo("2");
		assertThat(total(dom, "replicas")).isEqualTo("3");
		assertThat(total(dom, "connections")).isEqualTo("4");
		assertThat(row(dom, "hostname", SHOP)).contains("<td class=\"num replicas\">2</td><td class=\"num ready\">1</td>"
				+ "<td class=\"num connections\">3</td><td class=\"states\"><span class=\"badge registered\">3 registered</span></td>");
		assertThat(row(dom, "hostname", API)).contains("<td class=\"num replicas\">1</td><td class=\"num ready\">1</td>"
				+ "<td class=\"num connections\">1</td><td class=\"states\"><span class=\"badge registered\">1 registered</span></td>");
		// Per connection: its replica, state, readiness and a round-trip time.
		assertThat(Pattern.compile("<tr data-connection=\"edge-test-t\\d+\">").matcher(dom).results()).hasSize(4);
		assertThat(Pattern.compile("<td class=\"num rtt\">\\d+\\.\\d+ ms</td>").matcher(dom).results()).hasSize(4);
		assertThat(Pattern.compile("<span class=\"badge not-ready\">not ready</span>").matcher(dom).results()).hasSize(1);
		assertThat(dom).contains("<td class=\"mono agent\">&lt;img src=x onerror=alert(1)&gt;</td>").doesNotContain("<img");
		assertThat(Files.size(Path.of("target", "dashboard", "dashboard.png"))).isGreaterThan(10_000);
	}

	@Test
	void chromiumShowsEveryNodeOfTheClusterWithTheHostnamesItServes() throws Exception {
		HeadlessChromium chromium = chromium();
		// Closed in reverse order: the agents, node B, node A, Redis.
		try (RedisServer redis = RedisServer.start(Files.createDirectories(this.dataDir.resolve("redis")));
				EdgeNode a = EdgeNode.start(clusterNode("edge-a", redis));
				EdgeNode b = startSharingCa(a, clusterNode("edge-b", redis));
				TestAgent onA = TestAgent.connect(a, SHOP, "shop-replica-1");
				TestAgent onB = TestAgent.connect(b, API, "api-replica-1")) {
			await().atMost(Duration.ofSeconds(5))
				.until(() -> redis.commands().zscore("warp:routes:" + SHOP, "edge-a") != null
						&& redis.commands().zscore("warp:routes:" + API, "edge-b") != null);
			String page = "http://127.0.0.1:" + a.apiPort() + "/";
			String dom = chromium.dumpDom(page, 2000);
			chromium.screenshot(page, 2000, Path.of("target", "dashboard", "cluster.png"));
			assertThat(dom).contains("id=\"cluster\">cluster on Redis 127.0.0.1:" + redis.port() + "<");
			assertThat(total(dom, "nodes")).isEqualTo("2");
			assertThat(total(dom, "hostnames")).isEqualTo("2");
			assertThat(row(dom, "node", "edge-a")).contains("<span class=\"badge here\">this node</span>")
				.contains("<td class=\"num hostnames\">1</td>");
			assertThat(row(dom, "node", "edge-b")).doesNotContain("this node").contains("<td class=\"num hostnames\">1</td>");
			assertThat(row(dom, "hostname", SHOP)).contains("<td class=\"mono nodes\">edge-a</td><td class=\"num replicas\">1</td>");
			assertThat(row(dom, "hostname", API)).contains("<td class=\"mono nodes\">edge-b</td><td class=\"num replicas\">–</td>");
		}
	}

	private EdgeSettings clusterNode(String nodeId, RedisServer redis) {
		return TestEdges.onLoopback(this.dataDir.resolve(nodeId))
			.nodeId(nodeId)
			.clusterRedisUrl(redis.url())
			.clusterPeerPort(0)
			.clusterLeaseTtl(Duration.ofSeconds(2))
			.build();
	}

	private EdgeNode startSharingCa(EdgeNode first, EdgeSettings settings) throws Exception {
		EdgeClusterTests.shareCa(first, settings.dataDir());
		return EdgeNode.start(settings);
	}

	private HeadlessChromium chromium() throws Exception {
		HeadlessChromium chromium = HeadlessChromium.find(this.dataDir.resolve("chromium"));
		assumeTrue(chromium != null, "Chromium is not installed and could not be installed here (apt-get install -y "
				+ "chromium): the dashboard is not tested in a browser");
		return chromium;
	}

	private TestAgent connect(String hostname, String agentId) throws Exception {
		TestAgent agent = TestAgent.connect(this.edge, hostname, agentId);
		this.agents.add(agent);
		return agent;
	}

	private Stream<ConnectionStatus> connections() {
		return this.edge.routeTable().snapshot().values().stream().flatMap(List::stream);
	}

	private static String total(String dom, String label) {
		Matcher total = Pattern.compile("<div class=\"total\" data-total=\"" + label + "\"><span class=\"value\">([^<]*)</span>")
			.matcher(dom);
		assertThat(total.find()).as("a total of %s in %s", label, dom).isTrue();
		return total.group(1);
	}

	/** The table row of {@code data-<kind>="<name>"}. */
	private static String row(String dom, String kind, String name) {
		Matcher row = Pattern.compile("<tr data-" + kind + "=\"" + Pattern.quote(name) + "\">.*?</tr>").matcher(dom);
		assertThat(row.find()).as("a row for %s in %s", name, dom).isTrue();
		return row.group();
	}

}
