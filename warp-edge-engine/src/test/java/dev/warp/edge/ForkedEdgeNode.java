package dev.warp.edge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * An edge node in a JVM of its own, for tests that kill one with {@code kill -9}: the engine
 * started from the arguments {@code <node-id> <data-dir> <redis-url> <lease-ttl-ms>}, on loopback
 * with free ports, until the process dies.
 */
final class ForkedEdgeNode {

	private ForkedEdgeNode() {
	}

	public static void main(String[] args) throws InterruptedException {
		EdgeNode.start(TestEdges.onLoopback(Path.of(args[1]))
			.nodeId(args[0])
			.clusterRedisUrl(args[2])
			.clusterPeerPort(0)
			.clusterLeaseTtl(Duration.ofMillis(Long.parseLong(args[3])))
			.build());
		new CountDownLatch(1).await();
	}

}
