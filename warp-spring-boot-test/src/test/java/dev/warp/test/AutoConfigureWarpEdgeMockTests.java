package dev.warp.test;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application without a server port ({@code MOCK}) whose configuration names its hostname
 * and a production edge: the tunnel serves its handler chain through the embedded edge, at the
 * application's own hostname.
 */
@SpringBootTest(classes = EdgeTestApplication.class, webEnvironment = WebEnvironment.MOCK,
		properties = { "warp.hostname=shop.example.test", "warp.edge.addresses=edge.example.test:7844",
				"warp.token=warp_0.production" })
@AutoConfigureWarpEdge
class AutoConfigureWarpEdgeMockTests {

	@Autowired
	private WarpTestEdge edge;

	@Autowired
	private ApplicationContext context;

	@Test
	void theApplicationIsServedThroughTheEdgeWithoutAServer() {
		assertThat(this.context).isNotInstanceOf(WebServerApplicationContext.class);
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
	void theApplicationsOwnHostnameIsServed() {
		assertThat(this.edge.hostname()).isEqualTo("shop.example.test");
		assertThat(this.edge.connections()).isNotEmpty();
	}

}
