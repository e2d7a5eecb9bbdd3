package dev.warp.test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.warp.edge.EdgeNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded edge brings only what a test needs: no Prometheus registry (the edge application's
 * {@code /metrics} format) on a class path that did not ask for one.
 */
@SpringBootTest(classes = EdgeTestApplication.class)
@AutoConfigureWarpEdge
class WarpTestEdgeClassPathTests {

	@Autowired
	private WarpTestEdge edge;

	@Test
	void embeddedEdgeServesWithoutPrometheusOnTheClassPath() throws Exception {
		assertThat(ClassUtils.isPresent("io.micrometer.prometheusmetrics.PrometheusMeterRegistry", null)).isFalse();
		this.edge.awaitServed();
		EdgeNode node = this.edge.node();
		assertThat(node).isNotNull();
		HttpResponse<String> metrics = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.apiPort() + "/metrics")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(metrics.statusCode()).isEqualTo(404);
		assertThat(metrics.body()).contains("no Prometheus meter registry");
	}

}
