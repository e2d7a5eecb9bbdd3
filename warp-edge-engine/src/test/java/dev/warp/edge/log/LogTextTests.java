package dev.warp.edge.log;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogTextTests {

	@Test
	void lineBreaksCannotStartAForgedLogLine() {
		assertThat(LogText.escape("a.test\n2026-01-01 INFO forged")).isEqualTo("a.test\\n2026-01-01 INFO forged");
		assertThat(LogText.escape("x\r\ty\u0000\u2028")).isEqualTo("x\\r\\ty\\u0000\\u2028");
	}

	@Test
	void plainTextIsKeptAsItIs() {
		assertThat(LogText.escape("shop.example.test")).isEqualTo("shop.example.test");
		assertThat(LogText.escape(null)).isEqualTo("null");
	}

	@Test
	void longValuesAreCut() {
		assertThat(LogText.escape("a".repeat(10_000))).hasSize(LogText.MAX_LENGTH + 1).endsWith("…");
	}

}
