package dev.warp.edge;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link EdgeNode}'s start and close.
 */
class EdgeNodeTests {

	@TempDir
	Path dataDir;

	private EdgeSettings.Builder settings() {
		return EdgeSettings.builder()
			.nodeId("edge-node")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(this.dataDir);
	}

	@Test
	void failsToStartWhenAPortIsTakenAndReleasesWhatItBound() throws Exception {
		try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			assertThatIllegalStateException()
				.isThrownBy(() -> EdgeNode.start(settings().apiPort(taken.getLocalPort()).build()))
				.withMessageContaining("edge-node");
			assertThatIllegalStateException()
				.isThrownBy(() -> EdgeNode.start(settings().tunnelPort(taken.getLocalPort()).build()))
				.withMessageContaining("Cannot bind the tunnel listener to 127.0.0.1:" + taken.getLocalPort());
		}
		// A terminated event loop's thread may still be a moment from exiting: wait for that, briefly.
		await().atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
				.noneMatch((thread) -> thread.getName().startsWith("warp-edge") && thread.isAlive()));
	}

	@Test
	void closeReleasesPortsAndThreadsAndIsIdempotent() throws Exception {
		EdgeNode node = EdgeNode.start(settings().build());
		int publicPort = node.publicPort();
		int tunnelPort = node.tunnelPort();
		node.close();
		node.close();
		// A terminated event loop's thread may still be a moment from exiting: wait for that, briefly.
		await().atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
				.noneMatch((thread) -> thread.getName().startsWith("warp-edge") && thread.isAlive()));
		try (EdgeNode again = EdgeNode.start(settings().publicPort(publicPort).tunnelPort(tunnelPort).build())) {
			assertThat(again.publicPort()).isEqualTo(publicPort);
			assertThat(again.tunnelPort()).isEqualTo(tunnelPort);
		}
	}

}
