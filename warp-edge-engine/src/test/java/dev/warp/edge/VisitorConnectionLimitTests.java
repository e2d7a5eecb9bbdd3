package dev.warp.edge;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.warp.edge.visitor.VisitorConnectionLimit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * {@code edge.public.max-connections}: visitor connections over the limit are closed as soon as
 * they are accepted, the limit frees as connections close, and agents still connect while
 * visitors hold every place.
 */
@ExtendWith(OutputCaptureExtension.class)
class VisitorConnectionLimitTests {

	private static final String HOST = "shop.example.test";

	private static final int LIMIT = 3;

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).maxConnections(LIMIT).build());
		this.closeables.add(TestAgent.connect(this.edge, HOST));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select(HOST) != null);
	}

	@AfterEach
	void stop() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
		this.edge.close();
	}

	@Test
	void connectionOverTheLimitIsClosedAtOnceAndThePlaceFreesWhenAnotherCloses(CapturedOutput output) throws Exception {
		List<Socket> served = new ArrayList<>();
		for (int i = 0; i < LIMIT; i++) {
			served.add(servedConnection());
		}
		try (Socket refused = new Socket("127.0.0.1", this.edge.publicPort())) {
			assertClosedByTheEdge(refused);
		}
		assertThat(refusedCount()).isEqualTo(1);
		assertThat(output).contains("1 visitor connection(s) refused: 3 were open").contains("edge.public.max-connections");
		// The connections it let in still serve.
		for (Socket socket : served) {
			assertThat(get(socket)).startsWith("HTTP/1.1 200");
		}
		served.remove(0).close();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.edge.meterRegistry().get("warp.edge.public.connections").gauge().value() == LIMIT - 1);
		served.add(servedConnection());
		served.forEach(this::closeQuietly);
		assertThat(refusedCount()).isEqualTo(1);
	}

	@Test
	void agentsStillConnectWhileVisitorsHoldEveryPlace() throws Exception {
		List<Socket> served = new ArrayList<>();
		for (int i = 0; i < LIMIT; i++) {
			served.add(servedConnection());
		}
		this.closeables.add(TestAgent.connect(this.edge, "blog.example.test"));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select("blog.example.test") != null);
		served.forEach(this::closeQuietly);
	}

	@Test
	void aSecondClientIsServedWhileOneAddressIsAtItsCap(CapturedOutput output) throws Exception {
		int perAddress = 4;
		try (EdgeNode edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir.resolve("per-address"))
			.maxConnections(100)
			.maxConnectionsPerAddress(perAddress)
			.build());
				TestAgent shop = TestAgent.connectRouted(edge, HOST);
				TestAgent blog = TestAgent.connectRouted(edge, "blog.example.test")) {
			List<Socket> flood = new ArrayList<>();
			for (int i = 0; i < perAddress; i++) {
				flood.add(servedConnection(edge, "127.0.0.1", HOST));
			}
			for (int i = 0; i < 3; i++) {
				try (Socket refused = connect(edge, "127.0.0.1")) {
					assertClosedByTheEdge(refused);
				}
			}
			assertThat(edge.meterRegistry()
				.get("warp.edge.public.connections.refused")
				.tag("reason", "max-connections-per-address")
				.functionCounter()
				.count()).isEqualTo(3);
			assertThat(output).contains("edge.public.max-connections-per-address");
			// Another client, and another tenant, while the first address holds its whole share.
			servedConnection(edge, "127.0.0.2", HOST).close();
			servedConnection(edge, "127.0.0.2", "blog.example.test").close();
			// The connections it let in still serve, and the address takes a new one once one closes.
			for (Socket socket : flood) {
				assertThat(get(socket, HOST)).startsWith("HTTP/1.1 200");
			}
			flood.remove(0).close();
			await().atMost(Duration.ofSeconds(5))
				.until(() -> edge.meterRegistry().get("warp.edge.public.connections").gauge().value() == perAddress - 1);
			flood.add(servedConnection(edge, "127.0.0.1", HOST));
			flood.forEach(this::closeQuietly);
		}
	}

	@Test
	void limitBelowOneIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> EdgeSettings.builder().maxConnections(0))
			.withMessage("maxConnections must be at least 1, was 0");
		assertThatIllegalArgumentException().isThrownBy(() -> new VisitorConnectionLimit(0, 1));
		assertThatIllegalArgumentException().isThrownBy(() -> new VisitorConnectionLimit(1, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> EdgeSettings.builder().maxConnectionsPerAddress(0))
			.withMessage("maxConnectionsPerAddress must be at least 1, was 0");
	}

	@Test
	void defaultLimitLeavesATenthOfTheFileDescriptorsToTheRest() {
		java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
		long descriptors = ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
		assertThat(EdgeSettings.builder().build().maxConnections()).isEqualTo(VisitorConnectionLimit.defaultMax())
			.isEqualTo((int) Math.min(Integer.MAX_VALUE, descriptors / 10 * 9));
	}

	/** A keep-alive connection the edge has served a request on: counted against the limit. */
	private Socket servedConnection() throws IOException {
		return servedConnection(this.edge, "127.0.0.1", HOST);
	}

	/** A keep-alive connection from {@code clientAddress} the edge has served a request for {@code host} on. */
	private Socket servedConnection(EdgeNode edge, String clientAddress, String host) throws IOException {
		Socket socket = connect(edge, clientAddress);
		this.closeables.add(socket);
		assertThat(get(socket, host)).startsWith("HTTP/1.1 200");
		return socket;
	}

	/** A connection to the edge's public listener from {@code clientAddress}, one of loopback's. */
	private static Socket connect(EdgeNode edge, String clientAddress) throws IOException {
		Socket socket = new Socket();
		socket.bind(new InetSocketAddress(clientAddress, 0));
		socket.connect(new InetSocketAddress("127.0.0.1", edge.publicPort()), 5000);
		return socket;
	}

	private static String get(Socket socket) throws IOException {
		return get(socket, HOST);
	}

	private static String get(Socket socket, String host) throws IOException {
		socket.setSoTimeout(5000);
		socket.getOutputStream()
			.write(("GET /hello HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		// "hello" with its Content-Length: the whole response ends with it.
		StringBuilder response = new StringBuilder();
		InputStream in = socket.getInputStream();
		while (!response.toString().endsWith("hello")) {
			int b = in.read();
			if (b < 0) {
				break;
			}
			response.append((char) b);
		}
		return response.toString();
	}

	private static void assertClosedByTheEdge(Socket socket) throws IOException {
		socket.setSoTimeout(5000);
		try {
			socket.getOutputStream()
				.write(("GET /hello HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			assertThat(socket.getInputStream().read()).as("end of stream: the edge closed it").isEqualTo(-1);
		}
		catch (SocketTimeoutException ex) {
			throw new AssertionError("The edge neither answered nor closed the connection over the limit", ex);
		}
		catch (IOException ex) {
			// Reset: the edge closed it before the request arrived.
			assertThat(ex).hasMessageContaining("reset");
		}
	}

	private double refusedCount() {
		return refusedCount("max-connections");
	}

	private double refusedCount(String reason) {
		return this.edge.meterRegistry()
			.get("warp.edge.public.connections.refused")
			.tag("reason", reason)
			.functionCounter()
			.count();
	}

	private void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Closing for the test's end.
		}
	}

}
