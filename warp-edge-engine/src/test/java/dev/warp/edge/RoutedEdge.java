package dev.warp.edge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.util.FileSystemUtils;

/**
 * An edge on loopback with one agent routed for a hostname, started before each test and closed
 * after it: the setup most visitor-side tests share ({@code @RegisterExtension}).
 */
final class RoutedEdge implements BeforeEachCallback, AfterEachCallback {

	private final String hostname;

	private final UnaryOperator<EdgeSettings.Builder> settings;

	private Path dataDir;

	private EdgeNode edge;

	private TestAgent agent;

	RoutedEdge(String hostname) {
		this(hostname, UnaryOperator.identity());
	}

	RoutedEdge(String hostname, UnaryOperator<EdgeSettings.Builder> settings) {
		this.hostname = hostname;
		this.settings = settings;
	}

	@Override
	public void beforeEach(ExtensionContext context) throws Exception {
		this.dataDir = Files.createTempDirectory("warp-edge-test");
		this.edge = EdgeNode.start(this.settings.apply(TestEdges.onLoopback(this.dataDir)).build());
		this.agent = TestAgent.connectRouted(this.edge, this.hostname);
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		try {
			this.agent.close();
			this.edge.close();
		}
		finally {
			FileSystemUtils.deleteRecursively(this.dataDir);
		}
	}

	EdgeNode edge() {
		return this.edge;
	}

	TestAgent agent() {
		return this.agent;
	}

}
