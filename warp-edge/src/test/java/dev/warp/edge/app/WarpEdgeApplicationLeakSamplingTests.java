package dev.warp.edge.app;

import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WarpEdgeApplicationLeakSamplingTests {

	@Test
	void runnableEdgeTracksOneBufferIn4096ForLeaksUnlessTheOperatorChose() {
		Properties system = new Properties();
		WarpEdgeApplication.sampleLeaksSparingly(system);
		assertThat(system.getProperty(WarpEdgeApplication.LEAK_SAMPLING_INTERVAL)).isEqualTo("4096");
		Properties chosen = new Properties();
		chosen.setProperty(WarpEdgeApplication.LEAK_SAMPLING_INTERVAL, "1");
		WarpEdgeApplication.sampleLeaksSparingly(chosen);
		assertThat(chosen.getProperty(WarpEdgeApplication.LEAK_SAMPLING_INTERVAL)).isEqualTo("1");
	}

}
