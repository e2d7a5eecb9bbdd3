package dev.warp.edge.exchange;

import java.util.ArrayDeque;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import org.jspecify.annotations.Nullable;

/**
 * The body of an {@link Exchange}'s request on its way to the tunnel stream: written as it comes
 * once the stream is open, held until then (and for a retry). Made only for a request with a
 * body; confined to the visitor's event loop.
 */
final class RequestBodyRelay {

	private final Visitor visitor;

	/** The body that came before the stream was ready, held for it. */
	private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>(4);

	/** Bytes received so far: a body of no declared length is counted against the limit. */
	private long received;

	private boolean complete;

	/** The stream the body goes to once its headers were sent; {@code null} before. */
	private @Nullable Http2StreamChannel stream;

	RequestBodyRelay(Visitor visitor) {
		this.visitor = visitor;
	}

	/** Counts a part of the body as received; the total so far. */
	long count(int bytes) {
		this.received += bytes;
		return this.received;
	}

	/** Whether a stream took (some of) the body: a retry would have to send it again. */
	boolean sent() {
		return this.stream != null;
	}

	/** The attempt's stream is open, its headers written: the body held so far follows them. */
	void streamReady(Http2StreamChannel stream) {
		this.stream = stream;
		boolean endSent = false;
		ByteBuf chunk;
		while ((chunk = this.pending.poll()) != null) {
			endSent = this.complete && this.pending.isEmpty();
			int bytes = chunk.readableBytes();
			this.visitor.bodyWritten(stream.write(new DefaultHttp2DataFrame(chunk, endSent)), bytes);
		}
		if (this.complete && !endSent) {
			stream.write(new DefaultHttp2DataFrame(true));
		}
		stream.flush();
	}

	/** A part of the body, the last one with its end: written to the stream, or held until it is ready. */
	void relay(ByteBuf chunk, boolean last) {
		Http2StreamChannel stream = this.stream;
		if (stream == null) {
			this.complete = last;
			if (chunk.isReadable()) {
				this.pending.add(chunk);
			}
			else {
				chunk.release();
			}
			return;
		}
		if (chunk.isReadable() || last) {
			int bytes = chunk.readableBytes();
			this.visitor.bodyWritten(stream.writeAndFlush(new DefaultHttp2DataFrame(chunk, last)), bytes);
		}
		else {
			chunk.release();
		}
	}

	/** Drops what is held: the exchange ended. */
	void release() {
		ByteBuf chunk;
		while ((chunk = this.pending.poll()) != null) {
			this.visitor.bodyDropped(chunk.readableBytes());
			chunk.release();
		}
	}

}
