package dev.warp.edge;

import java.nio.file.Path;

/** Settings of edge nodes for tests: everything on loopback, every port picked by the system. */
final class TestEdges {

	private TestEdges() {
	}

	/** A node named {@code edge-test} on 127.0.0.1 with free ports, keeping its data in {@code dataDir}. */
	static EdgeSettings.Builder onLoopback(Path dataDir) {
		return EdgeSettings.builder()
			.nodeId("edge-test")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(dataDir);
	}

}
