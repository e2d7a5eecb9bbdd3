package dev.warp.edge;

import java.io.File;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Closing an edge leaves nothing behind: every visitor and tunnel connection closes with it and
 * every descriptor is released, so that a pooled client that reuses an idle keep-alive
 * connection across the close gets a clean failure, never a hang.
 */
class EdgeNodeCloseTests {

	private static final String HOST = "shop.example.test";

	@TempDir
	Path dataDir;

	private final LoopResources clientLoops = LoopResources.create("close-visitor", 1, true);

	@BeforeEach
	void warmUp() throws Exception {
		// Classes, native libraries and the client's event loop, loaded before descriptors are counted.
		this.clientLoops.onClient(true);
		try (EdgeNode edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).build())) {
			TestAgent agent = TestAgent.connectRouted(edge, HOST);
			requests(edge, HttpProtocol.HTTP11, 1);
			agent.close();
		}
	}

	@AfterEach
	void disposeClient() {
		this.clientLoops.disposeLater().block(Duration.ofSeconds(10));
	}

	@ParameterizedTest
	@EnumSource(names = { "HTTP11", "H2C" })
	void aPooledClientConnectionReusedAfterTheEdgeClosedFailsAtOnceAndNoDescriptorIsLeft(HttpProtocol protocol)
			throws Exception {
		long before = openDescriptors();
		EdgeNode edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).build());
		TestAgent agent = TestAgent.connectRouted(edge, HOST);
		ConnectionProvider pool = ConnectionProvider.create("close-visitor", 1);
		Set<SocketAddress> connections = ConcurrentHashMap.newKeySet();
		HttpClient client = client(edge, protocol, pool)
			.doOnConnected((connection) -> connections.add(connection.channel().localAddress()));
		for (int i = 0; i < 2; i++) {
			assertThat(client.get().uri("/hello").responseSingle((response, body) -> body.asString())
				.block(Duration.ofSeconds(10))).isEqualTo("hello");
		}
		assertThat(connections).as("connections the two requests took").hasSize(1);
		edge.close();
		// The idle pooled connection is reused, or found closed and replaced by a refused one: an error either way.
		Mono<Integer> again = client.get()
			.uri("/hello")
			.responseSingle((response, body) -> Mono.just(response.status().code()))
			.onErrorReturn(-1);
		assertThat(again.block(Duration.ofSeconds(10))).as("status after the edge closed, -1 for an error").isEqualTo(-1);
		agent.close();
		pool.disposeLater().block(Duration.ofSeconds(10));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openDescriptors()).isLessThanOrEqualTo(before));
	}

	private HttpClient client(EdgeNode edge, HttpProtocol protocol, ConnectionProvider pool) {
		return HttpClient.create(pool)
			.runOn(this.clientLoops)
			.protocol(protocol)
			.baseUrl("http://127.0.0.1:" + edge.publicPort())
			.headers((headers) -> headers.set("Host", HOST));
	}

	private void requests(EdgeNode edge, HttpProtocol protocol, int count) {
		ConnectionProvider pool = ConnectionProvider.create("warm-up", 1);
		HttpClient client = client(edge, protocol, pool);
		for (int i = 0; i < count; i++) {
			client.get().uri("/hello").responseSingle((response, body) -> body.asString()).block(Duration.ofSeconds(10));
		}
		pool.disposeLater().block(Duration.ofSeconds(10));
	}

	private static long openDescriptors() {
		return Objects.requireNonNull(new File("/proc/self/fd").list()).length;
	}

}
