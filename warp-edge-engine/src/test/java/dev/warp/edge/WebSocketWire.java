package dev.warp.edge;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * WebSocket frames (RFC 6455 5.2) written and read by hand, for the ends of a test that see them
 * as bytes: an HTTP/2 visitor's DATA frames (RFC 8441), the test agent's tunnel stream. Reads
 * frames that span reads; no extensions.
 */
final class WebSocketWire {

	static final int TEXT = 0x1;

	static final int CLOSE = 0x8;

	private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

	/** One frame, its payload unmasked. */
	record Frame(int opcode, byte[] payload) {

		String text() {
			return new String(this.payload, StandardCharsets.UTF_8);
		}

		int closeCode() {
			return (this.payload.length < 2) ? -1 : ((this.payload[0] & 0xff) << 8) | (this.payload[1] & 0xff);
		}

		String closeReason() {
			return (this.payload.length < 2) ? ""
					: new String(this.payload, 2, this.payload.length - 2, StandardCharsets.UTF_8);
		}

	}

	static byte[] text(String text, boolean masked) {
		return frame(TEXT, text.getBytes(StandardCharsets.UTF_8), masked);
	}

	static byte[] close(int code, String reason, boolean masked) {
		byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
		return frame(CLOSE, ByteBuffer.allocate(2 + bytes.length).putShort((short) code).put(bytes).array(), masked);
	}

	/** A final frame; a client's (the visitor's, the edge's to the agent) is masked. */
	static byte[] frame(int opcode, byte[] payload, boolean masked) {
		ByteBuffer out = ByteBuffer.allocate(payload.length + 14);
		out.put((byte) (0x80 | opcode));
		int maskBit = masked ? 0x80 : 0;
		if (payload.length < 126) {
			out.put((byte) (maskBit | payload.length));
		}
		else {
			out.put((byte) (maskBit | 126)).putShort((short) payload.length);
		}
		byte[] mask = new byte[4];
		if (masked) {
			ThreadLocalRandom.current().nextBytes(mask);
			out.put(mask);
		}
		for (int i = 0; i < payload.length; i++) {
			out.put((byte) (payload[i] ^ mask[i % 4]));
		}
		return Arrays.copyOf(out.array(), out.position());
	}

	/** The frames that {@code bytes} completed, with what came before. */
	synchronized List<Frame> read(byte[] bytes) {
		this.pending.writeBytes(bytes);
		byte[] buffer = this.pending.toByteArray();
		List<Frame> frames = new ArrayList<>();
		int at = 0;
		while (true) {
			if (buffer.length - at < 2) {
				break;
			}
			int opcode = buffer[at] & 0x0f;
			boolean masked = (buffer[at + 1] & 0x80) != 0;
			int length = buffer[at + 1] & 0x7f;
			int header = 2;
			if (length == 126) {
				if (buffer.length - at < 4) {
					break;
				}
				length = ((buffer[at + 2] & 0xff) << 8) | (buffer[at + 3] & 0xff);
				header = 4;
			}
			int maskAt = at + header;
			if (masked) {
				header += 4;
			}
			if (buffer.length - at < header + length) {
				break;
			}
			byte[] payload = Arrays.copyOfRange(buffer, at + header, at + header + length);
			if (masked) {
				for (int i = 0; i < payload.length; i++) {
					payload[i] ^= buffer[maskAt + (i % 4)];
				}
			}
			frames.add(new Frame(opcode, payload));
			at += header + length;
		}
		this.pending.reset();
		this.pending.write(buffer, at, buffer.length - at);
		return frames;
	}

}
