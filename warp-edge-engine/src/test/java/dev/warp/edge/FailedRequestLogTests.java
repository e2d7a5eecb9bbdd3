package dev.warp.edge;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A visitor's failed request is the app's or the network's matter, and may come thousands of
 * times a minute: the edge answers it ({@code 502}, {@code 504}) without an INFO line per
 * request; what the operator sees is a WARN summary at most once a minute per kind.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailedRequestLogTests {

	private static final String HOST = "shop.example.test";

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private TestAgent agent;

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).responseTimeout(Duration.ofMillis(500)).build());
		this.agent = TestAgent.connectRouted(this.edge, HOST);
	}

	@AfterEach
	void stop() {
		this.agent.close();
		this.edge.close();
	}

	@Test
	void failedRequestsAreAnsweredWithoutAnInfoLineEach(CapturedOutput output) throws Exception {
		for (int i = 0; i < 3; i++) {
			assertThat(Visitor.get(this.edge, HOST, "/reset").status()).isEqualTo(502);
			assertThat(Visitor.get(this.edge, HOST, "/never").status()).isEqualTo(504);
		}
		assertThat(output.getOut().lines().filter((line) -> line.contains(" INFO ")))
			.noneMatch((line) -> line.contains("(502)") || line.contains("(504)"));
	}

}
