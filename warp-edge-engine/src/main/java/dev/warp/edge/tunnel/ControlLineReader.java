package dev.warp.edge.tunnel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.warp.core.protocol.ControlMessage;
import io.netty.buffer.ByteBuf;

/**
 * Splits the bytes of a control stream into lines. DATA frames cut lines anywhere, so a partial
 * line is kept until its end arrives; a line longer than {@link ControlMessage#MAX_LINE_LENGTH}
 * is refused, so the agent cannot make the edge buffer without bound.
 */
final class ControlLineReader {

	private byte[] pending = new byte[256];

	private int length;

	/**
	 * Reads the readable bytes of a buffer (without releasing it).
	 * @return the lines completed by these bytes, without their line breaks
	 * @throws IllegalArgumentException if a line is too long
	 */
	List<String> read(ByteBuf data) {
		List<String> lines = new ArrayList<>(1);
		while (data.isReadable()) {
			byte b = data.readByte();
			if (b == '\n') {
				int end = (this.length > 0 && this.pending[this.length - 1] == '\r') ? this.length - 1 : this.length;
				lines.add(new String(this.pending, 0, end, StandardCharsets.UTF_8));
				this.length = 0;
			}
			else {
				append(b);
			}
		}
		return lines;
	}

	/** Whether a partial line is waiting for its end. */
	boolean hasPartialLine() {
		return this.length > 0;
	}

	private void append(byte b) {
		if (this.length >= ControlMessage.MAX_LINE_LENGTH) {
			throw new IllegalArgumentException(
					"control message longer than " + ControlMessage.MAX_LINE_LENGTH + " bytes");
		}
		if (this.length == this.pending.length) {
			this.pending = Arrays.copyOf(this.pending, Math.min(this.pending.length * 2, ControlMessage.MAX_LINE_LENGTH));
		}
		this.pending[this.length++] = b;
	}

}
