package dev.warp.agent.internal.connection;

import java.util.ArrayList;
import java.util.List;

import dev.warp.core.protocol.ControlMessage;

/**
 * Splits the control stream's text into {@link ControlMessage}s; a line may arrive in several
 * chunks and a chunk may hold several lines. Not thread-safe: one per stream.
 */
final class ControlLineDecoder {

	private final StringBuilder partial = new StringBuilder();

	List<ControlMessage> decode(String chunk) {
		List<ControlMessage> messages = new ArrayList<>(1);
		int start = 0;
		for (int newline = chunk.indexOf('\n'); newline >= 0; newline = chunk.indexOf('\n', start)) {
			this.partial.append(chunk, start, newline);
			if (!this.partial.isEmpty()) {
				messages.add(ControlMessage.parse(this.partial.toString()));
			}
			this.partial.setLength(0);
			start = newline + 1;
		}
		this.partial.append(chunk, start, chunk.length());
		if (this.partial.length() > ControlMessage.MAX_LINE_LENGTH) {
			throw new IllegalStateException("Control message longer than " + ControlMessage.MAX_LINE_LENGTH + " characters");
		}
		return messages;
	}

}
