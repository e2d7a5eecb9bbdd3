package dev.warp.edge.tunnel;

import java.nio.charset.StandardCharsets;

import dev.warp.core.protocol.ControlMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ControlLineReader}.
 */
class ControlLineReaderTests {

	private final ControlLineReader reader = new ControlLineReader();

	@Test
	void joinsLinesSplitAcrossBuffers() {
		assertThat(read("register host")).isEmpty();
		assertThat(this.reader.hasPartialLine()).isTrue();
		assertThat(read("name=a.test\ndrain\nre")).containsExactly("register hostname=a.test", "drain");
		assertThat(read("gister\r\n")).containsExactly("register");
		assertThat(this.reader.hasPartialLine()).isFalse();
	}

	@Test
	void refusesALineLongerThanTheLimit() {
		String longLine = "x".repeat(ControlMessage.MAX_LINE_LENGTH);
		assertThat(read(longLine)).isEmpty();
		assertThatIllegalArgumentException().isThrownBy(() -> read("y")).withMessageContaining("longer than");
	}

	@Test
	void acceptsALineOfTheLimit() {
		String line = "x".repeat(ControlMessage.MAX_LINE_LENGTH);
		assertThat(read(line + "\n")).containsExactly(line);
	}

	private java.util.List<String> read(String text) {
		ByteBuf buffer = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
		try {
			return this.reader.read(buffer);
		}
		finally {
			buffer.release();
		}
	}

}
