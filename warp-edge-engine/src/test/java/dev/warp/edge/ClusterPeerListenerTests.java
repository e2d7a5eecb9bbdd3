package dev.warp.edge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a node's peer listener does with the requests another node of the cluster forwards: it
 * keeps what that node decided (forwarding headers, ray id), takes bodies of any size, serves
 * from its own tunnels only, and answers before the forwarding node gives up.
 */
class ClusterPeerListenerTests {

	private static final String HOST = "shop.example.test";

	private static final int MIB = 1024 * 1024;

	@TempDir
	Path temp;

	private TestCluster cluster;

	@BeforeEach
	void start() throws Exception {
		this.cluster = TestCluster.start(this.temp);
	}

	@AfterEach
	void stop() throws Exception {
		this.cluster.close();
	}

	@Test
	void forwardedRequestKeepsTheRayAndForwardingHeadersOfTheNodeThatTookIt() throws Exception {
		EdgeNode a = this.cluster.node("edge-a");
		EdgeNode b = this.cluster.nodeSharingCa("edge-b", a);
		this.cluster.agent(b, HOST);
		for (HttpClient visitor : List.of(Visitor.http(a, HOST), Visitor.h2c(a, HOST))) {
			Visitor.Response response = Visitor.get(visitor.headers((headers) -> headers.add("X-Forwarded-For", "10.0.0.1")),
					"/headers");
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.ray()).endsWith("-edge-a");
			assertThat(response.body().lines()).contains("warp-ray: " + response.ray(), "x-forwarded-for: 127.0.0.1",
					"warp-connecting-ip: 127.0.0.1", "x-forwarded-proto: http", "x-forwarded-host: " + HOST,
					"x-forwarded-port: 80")
				.doesNotContain("x-forwarded-for: 10.0.0.1");
		}
	}

	@Test
	void nodeOfTheClusterIsTrustedWithTheForwardingHeadersItSends() throws Exception {
		EdgeNode a = this.cluster.node("edge-a");
		this.cluster.agent(a, HOST);
		Visitor.Response response = Visitor.response(this.cluster.peer(a, "edge-x")
			.headers((headers) -> headers.set("host", HOST)
				.set("warp-ray", "ray-from-x")
				.set("warp-connecting-ip", "203.0.113.7")
				.set("x-forwarded-for", "203.0.113.7")
				.set("x-forwarded-proto", "https")
				.set("x-forwarded-host", HOST)
				.set("x-forwarded-port", "443")
				.set("warp-control", "1"))
			.get()
			.uri("/headers"), Visitor.TIMEOUT);
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.ray()).isEqualTo("ray-from-x");
		assertThat(response.body().lines()).contains(":scheme: https", ":authority: " + HOST, "warp-ray: ray-from-x",
				"warp-connecting-ip: 203.0.113.7", "x-forwarded-for: 203.0.113.7", "x-forwarded-proto: https",
				"x-forwarded-host: " + HOST, "x-forwarded-port: 443")
			// Nothing of the control protocol, whoever sends it.
			.noneMatch((line) -> line.startsWith("warp-control"));
	}

	@Test
	void requestForAHostnameWithoutATunnelOnThePeerIsAnswered503WithoutASecondHop() throws Exception {
		EdgeNode a = this.cluster.node("edge-a");
		EdgeNode b = this.cluster.nodeSharingCa("edge-b", a);
		TestAgent onA = this.cluster.agent(a, HOST);
		// The route table names node A for the hostname; node B has no tunnel of it.
		Visitor.Response response = Visitor.response(this.cluster.peer(b, "edge-x")
			.headers((headers) -> headers.set("host", HOST).set("warp-ray", "ray-from-x"))
			.get()
			.uri("/whoami"), Visitor.TIMEOUT);
		assertThat(response.status()).isEqualTo(503);
		assertThat(response.ray()).isEqualTo("ray-from-x");
		assertThat(response.body())
			.isEqualTo("No healthy tunnel for hostname " + HOST + " on edge node edge-b (Warp-Ray: ray-from-x)\n");
		assertThat(onA.requests).doesNotContain("/whoami");
	}

	@Test
	void largeUploadsCrossThePeerConnectionWhole() throws Exception {
		EdgeNode a = this.cluster.node("edge-a");
		EdgeNode b = this.cluster.nodeSharingCa("edge-b", a);
		this.cluster.agent(b, HOST);
		// Declared, chunked (HTTP/1.1), and on an HTTP/2 stream.
		assertThat(upload(Visitor.http(a, HOST).headers((headers) -> headers.set("content-length", MIB)))).isEqualTo(
				String.valueOf(MIB));
		assertThat(upload(Visitor.http(a, HOST))).isEqualTo(String.valueOf(MIB));
		assertThat(upload(Visitor.h2c(a, HOST))).isEqualTo(String.valueOf(MIB));
		// A node of the cluster sending it itself, without a length.
		assertThat(upload(this.cluster.peer(b, "edge-x").headers((headers) -> headers.set("host", HOST))))
			.isEqualTo(String.valueOf(MIB));
	}

	@Test
	void visitorGetsTheGatewayTimeoutOfTheNodeThatHoldsTheTunnel() throws Exception {
		// Node B waits longer for its agent than node A for its own: still node B's answer comes
		// first, within the second node A waits beyond its timeout for another node.
		EdgeNode a = this.cluster.node(this.cluster.settings("edge-a").responseTimeout(Duration.ofSeconds(1)).build());
		EdgeNode b = this.cluster.nodeSharingCa("edge-b", a,
				(settings) -> settings.responseTimeout(Duration.ofMillis(1500)));
		this.cluster.agent(b, HOST);
		for (HttpClient visitor : List.of(Visitor.http(a, HOST), Visitor.h2c(a, HOST))) {
			Visitor.Response response = Visitor.get(visitor, "/never");
			assertThat(response.status()).isEqualTo(504);
			assertThat(response.body())
				.isEqualTo("Origin timed out: no response within 1500 ms (Warp-Ray: " + response.ray() + ")\n");
			assertThat(response.ray()).endsWith("-edge-a");
		}
	}

	private static String upload(HttpClient client) {
		Visitor.Response response = Visitor.response(client.post()
			.uri("/length")
			.send(Flux.range(0, MIB / 65536).map((n) -> Unpooled.wrappedBuffer(new byte[65536]))), Visitor.TIMEOUT);
		assertThat(response.status()).isEqualTo(200);
		return response.body();
	}

}
