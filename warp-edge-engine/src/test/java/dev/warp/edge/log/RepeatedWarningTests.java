package dev.warp.edge.log;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

class RepeatedWarningTests {

	private final AtomicLong now = new AtomicLong(1_000);

	private final RepeatedWarning warning = new RepeatedWarning(LoggerFactory.getLogger(RepeatedWarningTests.class),
			"test failure(s)", 1_000, this.now::get);

	@Test
	void theFirstOccurrenceIsLoggedAtOnce() {
		assertThat(this.warning.occurred("first")).isTrue();
	}

	@Test
	void aFloodWritesOneLinePerInterval() {
		int lines = 0;
		for (int i = 0; i < 10_000; i++) {
			this.now.addAndGet(1);
			lines += this.warning.occurred("peer " + i) ? 1 : 0;
		}
		// 10,000 occurrences over 10,000 ns, one line at the first and one per 1,000 ns after it
		assertThat(lines).isEqualTo(10);
		assertThat(this.warning.occurrences()).isEqualTo(10_000);
	}

}
