package dev.warp.test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.test.annotation.DirtiesContext.HierarchyMode;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestContextManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded edge belongs to the application context: test classes of the same configuration
 * share one through Spring's context cache, another configuration gets its own, and the edge
 * stops when its context closes.
 */
class WarpTestEdgeContextCacheTests {

	@Test
	void testClassesOfTheSameConfigurationShareOneEdge() throws Exception {
		TestContext first = new TestContextManager(FirstTestClass.class).getTestContext();
		TestContext second = new TestContextManager(SecondTestClass.class).getTestContext();
		TestContext other = new TestContextManager(OtherConfigurationTestClass.class).getTestContext();
		WarpTestEdge edge = edge(first);
		assertThat(edge(second)).isSameAs(edge);
		assertThat(edge(other)).isNotSameAs(edge);
		first.markApplicationContextDirty(HierarchyMode.EXHAUSTIVE);
		other.markApplicationContextDirty(HierarchyMode.EXHAUSTIVE);
		assertThat(edge.isRunning()).isFalse();
		assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", edge.publicPort()), 5000))
			.isInstanceOf(java.net.ConnectException.class);
	}

	@Test
	void anEdgeThatCannotStartFailsTheContextSayingWhy() throws IOException {
		try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
			System.setProperty("test.taken-port", Integer.toString(taken.getLocalPort()));
			try {
				assertThatThrownBy(() -> new TestContextManager(TakenPortTestClass.class).getTestContext()
					.getApplicationContext())
					.satisfies((ex) -> assertThat(messages(ex)).contains(
							"@AutoConfigureWarpEdge could not start the embedded Warp edge",
							"port " + taken.getLocalPort() + " (spring.test.warp.edge.public-port)"));
			}
			finally {
				System.clearProperty("test.taken-port");
			}
		}
	}

	private static String messages(Throwable ex) {
		StringBuilder all = new StringBuilder();
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			all.append(cause.getMessage()).append('\n');
		}
		return all.toString();
	}

	private static WarpTestEdge edge(TestContext context) {
		ApplicationContext applicationContext = context.getApplicationContext();
		return applicationContext.getBean(WarpTestEdge.class);
	}

	@SpringBootTest(classes = EdgeTestApplication.class, properties = "warp.connections=1")
	@AutoConfigureWarpEdge
	static class FirstTestClass {

	}

	@SpringBootTest(classes = EdgeTestApplication.class, properties = "warp.connections=1")
	@AutoConfigureWarpEdge
	static class SecondTestClass {

	}

	@SpringBootTest(classes = EdgeTestApplication.class, properties = "warp.connections=2")
	@AutoConfigureWarpEdge
	static class OtherConfigurationTestClass {

	}

	@SpringBootTest(classes = EdgeTestApplication.class,
			properties = "spring.test.warp.edge.public-port=${test.taken-port}")
	@AutoConfigureWarpEdge
	static class TakenPortTestClass {

	}

}
