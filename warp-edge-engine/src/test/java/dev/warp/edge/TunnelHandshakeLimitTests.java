package dev.warp.edge;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code edge.tunnel.max-handshakes}, {@code edge.tunnel.max-handshakes-per-address} and
 * {@code edge.tunnel.handshake-timeout}: idle TCP connections to the tunnel port (no TLS) hold
 * a bounded number of the edge's descriptors for a short time, and agents still register.
 */
@ExtendWith(OutputCaptureExtension.class)
class TunnelHandshakeLimitTests {

	private static final String SHOP = "shop.example.test";

	private static final String BLOG = "blog.example.test";

	private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@AfterEach
	void stop() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
		if (this.edge != null) {
			this.edge.close();
		}
	}

	@Test
	void anAgentAtAnotherAddressRegistersWhileOneAddressFloodsTheTunnelPort(CapturedOutput output) throws Exception {
		int perAddress = 50;
		start(1000, perAddress);
		TestAgent shop = agent(TestAgent.connectRouted(this.edge, SHOP));
		List<Socket> flood = flood("127.0.0.1", 3 * perAddress);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> refused("max-handshakes-per-address") == 2 * perAddress);
		assertThat(handshakes()).isEqualTo(perAddress);
		assertThat(output).contains("edge.tunnel.max-handshakes-per-address");
		// While 127.0.0.1 holds its whole share, an agent at another address registers, and both
		// tenants are served.
		agent(TestAgent.connectFrom("127.0.0.2", this.edge, BLOG));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select(BLOG) != null);
		assertThat(Visitor.get(this.edge, BLOG, "/hello").status()).isEqualTo(200);
		assertThat(Visitor.get(this.edge, SHOP, "/hello").status()).isEqualTo(200);
		assertThat(shop.channel().isActive()).isTrue();
		// The handshake timeout frees the flooding address's share: an agent there registers too.
		await().atMost(HANDSHAKE_TIMEOUT.multipliedBy(3)).until(() -> handshakes() == 0);
		assertThat(flood).allSatisfy((socket) -> assertThat(closedByTheEdge(socket)).isTrue());
		agent(TestAgent.connectFrom("127.0.0.1", this.edge, "news.example.test"));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select("news.example.test") != null);
	}

	@Test
	void theTotalCapRefusesExcessAndAnAgentRegistersOnceHandshakesTimeOut() throws Exception {
		int total = 30;
		start(total, 256);
		List<Socket> flood = new ArrayList<>();
		for (int client = 1; client <= 3; client++) {
			flood.addAll(flood("127.0.0." + client, 15));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> refused("max-handshakes") == 15);
		assertThat(handshakes()).isEqualTo(total);
		// Nothing lets an unauthenticated connection hold its place past the handshake timeout:
		// once the flood's time is up, an agent registers.
		await().atMost(HANDSHAKE_TIMEOUT.multipliedBy(3)).until(() -> handshakes() == 0);
		assertThat(flood).allSatisfy((socket) -> assertThat(closedByTheEdge(socket)).isTrue());
		agent(TestAgent.connectFrom("127.0.0.4", this.edge, BLOG));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select(BLOG) != null);
		assertThat(Visitor.get(this.edge, BLOG, "/hello").status()).isEqualTo(200);
	}

	private void start(int maxHandshakes, int maxPerAddress) {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir)
			.maxTunnelHandshakes(maxHandshakes)
			.maxTunnelHandshakesPerAddress(maxPerAddress)
			.tunnelHandshakeTimeout(HANDSHAKE_TIMEOUT)
			.build());
	}

	private TestAgent agent(TestAgent agent) {
		this.closeables.add(agent);
		return agent;
	}

	/** Plain TCP connections to the tunnel port from {@code clientAddress} that send nothing. */
	private List<Socket> flood(String clientAddress, int connections) throws IOException {
		List<Socket> sockets = new ArrayList<>();
		for (int i = 0; i < connections; i++) {
			Socket socket = new Socket();
			this.closeables.add(socket);
			socket.bind(new InetSocketAddress(clientAddress, 0));
			socket.connect(new InetSocketAddress("127.0.0.1", this.edge.tunnelPort()), 5000);
			sockets.add(socket);
		}
		return sockets;
	}

	private static boolean closedByTheEdge(Socket socket) throws IOException {
		socket.setSoTimeout(5000);
		try {
			return socket.getInputStream().read() < 0;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (SocketException ex) {
			// Reset: closed as well.
			return true;
		}
	}

	private double handshakes() {
		return this.edge.meterRegistry().get("warp.edge.tunnel.handshakes").gauge().value();
	}

	private double refused(String reason) {
		return this.edge.meterRegistry()
			.get("warp.edge.tunnel.connections.refused")
			.tag("reason", reason)
			.functionCounter()
			.count();
	}

}
