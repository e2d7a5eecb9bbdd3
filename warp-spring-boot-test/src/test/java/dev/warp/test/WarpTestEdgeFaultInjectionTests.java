package dev.warp.test;

import java.time.Duration;
import java.util.List;

import dev.warp.edge.routing.ConnectionStatus;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Each fault the edge injects, then the application served through it again. */
@SpringBootTest(classes = EdgeTestApplication.class, properties = "warp.connections=2")
@AutoConfigureWarpEdge
class WarpTestEdgeFaultInjectionTests {

	private static final Duration RECOVERY = Duration.ofSeconds(30);

	private static final int CONNECTIONS = 2;

	@Autowired
	private WarpTestEdge edge;

	@BeforeEach
	void bothConnectionsRegistered() {
		await().atMost(RECOVERY).untilAsserted(() -> assertThat(this.edge.connections()).hasSize(CONNECTIONS));
	}

	@Test
	void afterEveryTunnelConnectionIsCutTheApplicationReconnects() {
		int connections = this.edge.connections().size();
		assertThat(this.edge.cutTunnelConnections()).isEqualTo(connections);
		this.edge.awaitServed(RECOVERY);
		assertServed();
	}

	@Test
	void afterTheEdgeDrainsTheApplicationIsServedOverReplacements() {
		List<String> drained = this.edge.connections().stream().map(ConnectionStatus::id).toList();
		assertThat(this.edge.drain()).isEqualTo(drained.size());
		await().atMost(RECOVERY)
			.untilAsserted(() -> assertThat(this.edge.connections()).isNotEmpty()
				.extracting(ConnectionStatus::id)
				.doesNotContainAnyElementsOf(drained));
		assertServed();
	}

	@Test
	void afterTheEdgeDrainsEachConnectionIsReplacedByExactlyOne() {
		List<String> drained = this.edge.connections().stream().map(ConnectionStatus::id).toList();
		this.edge.drain();
		await().atMost(RECOVERY)
			.untilAsserted(() -> assertThat(this.edge.connections()).hasSize(CONNECTIONS)
				.extracting(ConnectionStatus::id)
				.doesNotContainAnyElementsOf(drained));
		// A slot whose old connection closed before its replacement registered reconnected as
		// well: the extra connection registered a moment later and stayed.
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.edge.connections()).hasSize(CONNECTIONS));
		assertServed();
	}

	@Test
	void aStoppedEdgeRefusesVisitorsAndTheApplicationIsServedAgainOnceItRestarts() {
		assertServed();
		this.edge.stop();
		assertThat(this.edge.isRunning()).isFalse();
		assertThat(this.edge.connections()).isEmpty();
		assertThatThrownBy(() -> this.edge.webTestClient().get().uri("/hello").exchange())
			.hasRootCauseInstanceOf(java.net.ConnectException.class);
		this.edge.start();
		this.edge.awaitServed(RECOVERY);
		assertServed();
	}

	@Test
	void afterARestartTheApplicationIsServedAgain() {
		this.edge.restart();
		this.edge.awaitServed(RECOVERY);
		assertServed();
	}

	private void assertServed() {
		this.edge.webTestClient()
			.get()
			.uri("/hello")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.isEqualTo("hello");
	}

}
