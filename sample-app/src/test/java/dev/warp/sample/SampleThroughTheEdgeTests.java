package dev.warp.sample;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.warp.test.AutoConfigureWarpEdge;
import dev.warp.test.WarpTestEdge;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample tested through a real edge, as a user of {@code warp-spring-boot-test} would write
 * it: requests go visitor → edge → tunnel → the application, at its own {@code warp.hostname}.
 */
@SpringBootTest
@AutoConfigureWarpEdge
class SampleThroughTheEdgeTests {

	@Autowired
	private WarpTestEdge edge;

	@Test
	void helloIsServedThroughTheEdge() {
		this.edge.webTestClient()
			.get()
			.uri("/hello")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.isEqualTo("hello");
	}

	@Test
	void theApplicationSeesTheHeadersTheEdgeAdds() {
		Map<String, Object> info = this.edge.webTestClient()
			.get()
			.uri("/api/info")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
		assertThat(info.get("headers")).asInstanceOf(InstanceOfAssertFactories.MAP)
			.containsEntry("X-Forwarded-Host", "hello.warp.test")
			.containsEntry("X-Forwarded-Proto", "http")
			.containsKey("Warp-Ray");
	}

	@Test
	void eventsStreamThroughTheEdge() {
		List<String> events = this.edge.webTestClient()
			.get()
			.uri("/events")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(String.class)
			.getResponseBody()
			.collectList()
			.block(Duration.ofSeconds(30));
		assertThat(events).hasSize(10);
	}

	@Test
	void theSampleIsServedAgainAfterItsTunnelConnectionsAreCut() {
		this.edge.cutTunnelConnections();
		this.edge.awaitServed();
		helloIsServedThroughTheEdge();
	}

}
