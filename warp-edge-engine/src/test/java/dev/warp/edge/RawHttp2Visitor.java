package dev.warp.edge;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An HTTP/2 (prior knowledge) visitor that writes frames by hand over a plain socket, so that it
 * can do what a well-behaved client library refuses to: exceed the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS, or reset streams as fast as it opens them.
 */
final class RawHttp2Visitor implements AutoCloseable {

	static final int DATA = 0x0;

	static final int HEADERS = 0x1;

	static final int RST_STREAM = 0x3;

	static final int SETTINGS = 0x4;

	static final int GOAWAY = 0x7;

	static final int WINDOW_UPDATE = 0x8;

	/** Marks the end of the connection in {@link #frames}. */
	static final Frame CLOSED = new Frame(-1, 0, 0, new byte[0]);

	private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	private final Socket socket;

	private final OutputStream out;

	private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();

	private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

	RawHttp2Visitor(int port) throws IOException {
		this(port, "127.0.0.1", -1);
	}

	/** Connects from {@code localAddress}, one of loopback's (e.g. {@code 127.0.0.2}): another client address. */
	RawHttp2Visitor(int port, String localAddress) throws IOException {
		this(port, localAddress, -1);
	}

	/**
	 * A visitor whose streams start with the given flow-control window
	 * (SETTINGS_INITIAL_WINDOW_SIZE), or the protocol's default for {@code -1}; with {@code 0} and
	 * no WINDOW_UPDATE it takes no byte of any response body.
	 */
	RawHttp2Visitor(int port, int initialWindowSize) throws IOException {
		this(port, "127.0.0.1", initialWindowSize);
	}

	private RawHttp2Visitor(int port, String localAddress, int initialWindowSize) throws IOException {
		this.socket = new Socket();
		this.socket.bind(new InetSocketAddress(localAddress, 0));
		this.socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		try {
			this.out = this.socket.getOutputStream();
			this.out.write(PREFACE);
			writeFrame(SETTINGS, 0, 0, (initialWindowSize < 0) ? new byte[0]
					: new byte[] { 0, 0x4, (byte) (initialWindowSize >>> 24), (byte) (initialWindowSize >>> 16),
							(byte) (initialWindowSize >>> 8), (byte) initialWindowSize });
		}
		catch (IOException ex) {
			this.socket.close();
			throw ex;
		}
		Thread reader = new Thread(this::read, "raw-h2-visitor");
		reader.setDaemon(true);
		reader.start();
	}

	/** Request headers of a GET for {@code path} at {@code host}. */
	static Http2Headers get(String host, String path) {
		return new DefaultHttp2Headers().method("GET").scheme("http").authority(host).path(path);
	}

	synchronized void headers(int streamId, Http2Headers headers, boolean endStream) throws IOException {
		ByteBuf block = Unpooled.buffer();
		try {
			this.encoder.encodeHeaders(streamId, headers, block);
		}
		catch (Http2Exception ex) {
			throw new IOException(ex);
		}
		byte[] payload = new byte[block.readableBytes()];
		block.readBytes(payload);
		block.release();
		// END_HEADERS, and END_STREAM when asked.
		writeFrame(HEADERS, 0x4 | (endStream ? 0x1 : 0), streamId, payload);
	}

	synchronized void data(int streamId, byte[] payload, boolean endStream) throws IOException {
		writeFrame(DATA, endStream ? 0x1 : 0, streamId, payload);
	}

	synchronized void reset(int streamId, long errorCode) throws IOException {
		writeFrame(RST_STREAM, 0, streamId, intBytes(errorCode));
	}

	synchronized void flush() throws IOException {
		this.out.flush();
	}

	/** The next frame the server sent, {@link #CLOSED} once the connection closed, or {@code null} after {@code timeout}. */
	Frame next(Duration timeout) throws InterruptedException {
		return this.frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** The next frame of a stream the server sent, within 5 s and before the connection closed. */
	Frame nextOf(int streamId) throws InterruptedException {
		while (true) {
			Frame frame = next(Duration.ofSeconds(5));
			assertThat(frame).isNotNull().isNotEqualTo(CLOSED);
			if (frame.streamId() == streamId) {
				return frame;
			}
		}
	}

	private void writeFrame(int type, int flags, int streamId, byte[] payload) throws IOException {
		byte[] header = new byte[9];
		header[0] = (byte) (payload.length >>> 16);
		header[1] = (byte) (payload.length >>> 8);
		header[2] = (byte) payload.length;
		header[3] = (byte) type;
		header[4] = (byte) flags;
		byte[] id = intBytes(streamId);
		System.arraycopy(id, 0, header, 5, 4);
		this.out.write(header);
		this.out.write(payload);
	}

	private static byte[] intBytes(long value) {
		return new byte[] { (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value };
	}

	private void read() {
		try {
			DataInputStream in = new DataInputStream(this.socket.getInputStream());
			while (true) {
				int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
				int type = in.readUnsignedByte();
				int flags = in.readUnsignedByte();
				int streamId = in.readInt() & 0x7fffffff;
				byte[] payload = new byte[length];
				in.readFully(payload);
				if (type == SETTINGS && (flags & 0x1) == 0) {
					synchronized (this) {
						writeFrame(SETTINGS, 0x1, 0, new byte[0]);
						this.out.flush();
					}
				}
				this.frames.add(new Frame(type, flags, streamId, payload));
			}
		}
		catch (EOFException ex) {
			// The server closed the connection.
		}
		catch (IOException ex) {
			// Reset or closed by this side.
		}
		this.frames.add(CLOSED);
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	/** One frame from the server. */
	record Frame(int type, int flags, int streamId, byte[] payload) {

		/** The error code of a RST_STREAM or GOAWAY frame. */
		long errorCode() {
			int offset = (this.type == GOAWAY) ? 4 : 0;
			return ((this.payload[offset] & 0xffL) << 24) | ((this.payload[offset + 1] & 0xffL) << 16)
					| ((this.payload[offset + 2] & 0xffL) << 8) | (this.payload[offset + 3] & 0xffL);
		}

	}

}
