package dev.warp.edge;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An edge with two tenants, each with its own agent: {@link #ATTACKED}, which a test attacks,
 * and {@link #PROBED}, which must be served during and after the attack.
 */
final class TwoTenantEdge implements AutoCloseable {

	static final String ATTACKED = "a.test";

	static final String PROBED = "b.test";

	final EdgeNode edge;

	final TestAgent attacked;

	final TestAgent probed;

	private TwoTenantEdge(EdgeNode edge, TestAgent attacked, TestAgent probed) {
		this.edge = edge;
		this.attacked = attacked;
		this.probed = probed;
	}

	/** Starts an edge on loopback and connects both tenants' agents, routed once this returns. */
	static TwoTenantEdge start(Path dataDir) throws Exception {
		EdgeNode edge = EdgeNode.start(TestEdges.onLoopback(dataDir).build());
		try {
			return new TwoTenantEdge(edge, TestAgent.connectRouted(edge, ATTACKED), TestAgent.connectRouted(edge, PROBED));
		}
		catch (Exception | AssertionError ex) {
			edge.close();
			throw ex;
		}
	}

	/** {@link #PROBED} answers a request with its own agent. */
	void assertTheOtherTenantIsServed() {
		Visitor.Response response = Visitor.get(this.edge, PROBED, "/whoami");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).isEqualTo(this.probed.agentId);
	}

	@Override
	public void close() {
		this.attacked.close();
		this.probed.close();
		this.edge.close();
	}

}
