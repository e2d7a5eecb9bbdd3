package dev.warp.edge.visitor;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.Exchange;
import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.exchange.Visitor;
import dev.warp.edge.exchange.ForwardedHeaders;
import dev.warp.edge.exchange.RayIds;
import dev.warp.edge.exchange.RequestBodies;
import dev.warp.edge.tunnel.ResponseHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/1.1 visitor of one request taken by {@link Http1Forwarder}: its {@link Exchange}'s
 * response written to the visitor's connection as plain HTTP/1.1 objects: a whole response in
 * one write, a streamed one with {@code Content-Length} or chunked, the declared trailers with
 * its last chunk, and the connection closed after it when the request asked for that. An
 * aborted response closes the connection, the only signal HTTP/1.1 has for a truncated body.
 * An HTTP/1.0 visitor gets an HTTP/1.0 response: a body of unknown length ends with the
 * connection, which stays open only when the request asked with {@code Connection: keep-alive}
 * and the response's length is known.
 */
final class Http1Visitor implements Visitor {

	private static final Set<AsciiString> FRAMING_HEADERS = Set.of(HttpHeaderNames.CONTENT_LENGTH,
			HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.TRAILER);

	/**
	 * Body bytes read ahead of the tunnel at most: above this many read but not yet written to
	 * the tunnel stream, the visitor's connection stops reading until they fall to
	 * {@link #UNSENT_LOW}. Room for a fast link between two pauses, little heap per upload.
	 */
	static final int UNSENT_HIGH = 512 * 1024;

	static final int UNSENT_LOW = 128 * 1024;

	private static final AtomicLongFieldUpdater<Http1Visitor> UNSENT = AtomicLongFieldUpdater.newUpdater(Http1Visitor.class,
			"unsent");

	private final Exchange exchange;

	private final Http1Forwarder forwarder;

	private final String ray;

	private final ChannelHandlerContext visitor;

	/** Whether the connection carries more requests after this one: not after a body refused halfway. */
	private boolean keepAlive;

	/** Whether the edge answers before the request's body ended: its rest is read and dropped before closing. */
	private boolean bodyUnread;

	/** The connection's response timeout: set while this exchange waits for its response head. */
	private final LazyDeadline responseDeadline;

	/** The visitor's HTTP version, which its response has: HTTP/1.1, or HTTP/1.0. */
	private final HttpVersion version;

	/** Whether the visitor speaks HTTP/1.0: no chunked coding, no keep-alive unless it asked. */
	private final boolean http10;

	private boolean chunked;

	private boolean flushScheduled;

	/**
	 * Body bytes read from the visitor and not yet written to the tunnel (or dropped). Added on
	 * the visitor's loop, taken off on the tunnel stream's as its writes complete.
	 */
	private volatile long unsent;

	/** Whether this exchange paused the visitor's reading for its body to catch up. */
	private boolean readingPaused;

	/** The response's {@code Trailer} header: the trailers it may send. */
	private @Nullable String declaredTrailers;

	/**
	 * @param request the visitor's request: its head; its content is not kept
	 * @param hostname the hostname its {@code Host} routes to; empty for one the edge answers itself
	 */
	Http1Visitor(Http1Forwarder forwarder, ChannelHandlerContext visitor, HttpRequest request, String hostname,
			LazyDeadline responseDeadline, ExchangeSettings settings) {
		this(forwarder, visitor, request, String.valueOf(request.headers().get(HttpHeaderNames.HOST, "")).trim(), hostname,
				RayIds.next(settings.nodeId()), responseDeadline, settings);
	}

	private Http1Visitor(Http1Forwarder forwarder, ChannelHandlerContext visitor, HttpRequest request, String host,
			String hostname, String ray, LazyDeadline responseDeadline, ExchangeSettings settings) {
		this.forwarder = forwarder;
		this.visitor = visitor;
		this.ray = ray;
		this.responseDeadline = responseDeadline;
		this.keepAlive = HttpUtil.isKeepAlive(request);
		// A version the edge refuses (505) is answered in HTTP/1.1.
		this.version = (request.protocolVersion() == HttpVersion.HTTP_1_0) ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
		this.http10 = this.version == HttpVersion.HTTP_1_0;
		this.exchange = new Exchange(this, visitor.channel(), settings, request.method(), host, hostname, ray,
				ForwardedHeaders.forTunnel(request.method(), request.uri(), request.headers(), settings.scheme(), host,
						ForwardedHeaders.visitorIp(visitor.channel().remoteAddress()), ray),
				RequestBodies.hasBody(request.headers()));
	}

	/** The request's life: routed, sent, retried, answered. */
	Exchange exchange() {
		return this.exchange;
	}

	/** Whether the visitor's connection carries more requests after this one. */
	boolean keepAlive() {
		return this.keepAlive;
	}

	/** A part of the request's body from the visitor's connection, the last one with the end of the body. */
	void requestContent(HttpContent content) {
		this.exchange.requestContent(content.content(), content instanceof LastHttpContent);
	}

	@Override
	public void bodyReceived(int bytes) {
		if (UNSENT.addAndGet(this, bytes) > UNSENT_HIGH && !this.readingPaused) {
			this.readingPaused = true;
			this.forwarder.pauseBody(this);
		}
	}

	@Override
	public void bodyWritten(ChannelFuture written, int bytes) {
		written.addListener((done) -> bodyLeft(bytes));
	}

	@Override
	public void bodyDropped(int bytes) {
		bodyLeft(bytes);
	}

	/**
	 * Bytes of the body left the edge, or were dropped. Only the fall to {@link #UNSENT_LOW} hops
	 * to the visitor's loop: not one task per chunk.
	 */
	private void bodyLeft(int bytes) {
		long after = UNSENT.addAndGet(this, -bytes);
		if (after <= UNSENT_LOW && after + bytes > UNSENT_LOW) {
			if (this.visitor.channel().eventLoop().inEventLoop()) {
				resumeReading();
			}
			else {
				this.visitor.channel().eventLoop().execute(this::resumeReading);
			}
		}
	}

	private void resumeReading() {
		if (this.readingPaused && this.unsent <= UNSENT_LOW) {
			this.readingPaused = false;
			this.forwarder.resumeBody(this);
		}
	}

	@Override
	public void responseTimerStarted() {
		this.responseDeadline.set();
	}

	@Override
	public void responseTimerStopped() {
		this.responseDeadline.clear();
	}

	@Override
	public void writeHead(ResponseHead head, boolean noBody, boolean whole, @Nullable ByteBuf content) {
		HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().newHeaders();
		ForwardedHeaders.toVisitor(head.headers(), headers);
		HttpResponseStatus status = HttpResponseStatus.valueOf(head.status());
		headers.set(EdgeErrors.RAY_HEADER, this.ray);
		boolean lengthUnknown = !noBody && !headers.contains(HttpHeaderNames.CONTENT_LENGTH) && !head.endOfStream();
		if (this.http10 && lengthUnknown) {
			// HTTP/1.0 has no chunked coding: a body of unknown length ends with the connection.
			this.keepAlive = false;
		}
		if (!this.keepAlive) {
			headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
		else if (this.http10) {
			headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
		}
		if (whole) {
			ByteBuf body = (content != null) ? content : Unpooled.EMPTY_BUFFER;
			if (lengthUnknown) {
				// A body the app streamed without a length stays streamed, however fast it came: the
				// framing the visitor sees must not depend on how the tunnel's reads fell.
				if (!this.http10) {
					headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
				}
				this.visitor.write(new DefaultHttpResponse(this.version, status, headers))
					.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
				writeLast(new DefaultLastHttpContent(body));
				return;
			}
			if (!noBody && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
				// The head ended the stream: the app sent an empty body, which HTTP/1.1 says with a length.
				headers.setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
			}
			writeLast(new DefaultFullHttpResponse(this.version, status, body, headers, EmptyHttpHeaders.INSTANCE));
			return;
		}
		this.chunked = lengthUnknown && !this.http10;
		if (this.chunked) {
			headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
			this.declaredTrailers = headers.get(HttpHeaderNames.TRAILER);
		}
		DefaultHttpResponse response = new DefaultHttpResponse(this.version, status, headers);
		if (!noBody && RequestBodies.declaredLength(headers) > 0) {
			// A body of a declared length follows, most often in the tunnel's next read: the head
			// waits for its first part in the visitor's outbound buffer and leaves with it in one
			// write. A body of no declared length (a stream of events) shows its head at once.
			this.visitor.write(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
			return;
		}
		this.visitor.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
	}

	@Override
	public void writeContent(ByteBuf content) {
		this.visitor.write(new DefaultHttpContent(content)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
	}

	@Override
	public void writeEnd(@Nullable Http2Headers trailers) {
		LastHttpContent last = new DefaultLastHttpContent();
		if (this.chunked && trailers != null) {
			copyDeclaredTrailers(trailers, last.trailingHeaders());
		}
		writeLast(last);
	}

	/**
	 * The trailers the response declared in its {@code Trailer} header, as Reactor Netty sends
	 * them; never those that would change how the message is framed.
	 */
	private void copyDeclaredTrailers(Http2Headers trailers, HttpHeaders out) {
		String declared = this.declaredTrailers;
		if (declared == null) {
			return;
		}
		for (String name : declared.split(",")) {
			AsciiString trailer = AsciiString.of(name.trim()).toLowerCase();
			if (!trailer.isEmpty() && !FRAMING_HEADERS.contains(trailer)) {
				for (CharSequence value : trailers.getAll(trailer)) {
					out.add(trailer, value);
				}
			}
		}
	}

	@Override
	public void bodyRefused() {
		// The rest of the body would be taken for the next request: the connection ends with the answer.
		this.keepAlive = false;
		this.bodyUnread = true;
	}

	@Override
	public void writeError(HttpResponseStatus status, String cause) {
		FullHttpResponse response = EdgeErrors.response(this.visitor.alloc(), status, cause, this.ray);
		response.setProtocolVersion(this.version);
		if (!this.keepAlive) {
			response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
		else if (this.http10) {
			response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
		}
		writeLast(response);
	}

	private void writeLast(Object last) {
		ChannelFuture written = this.visitor.writeAndFlush(last);
		if (this.bodyUnread) {
			LingeringClose.after(written);
			return;
		}
		written.addListener(this.keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
	}

	@Override
	public void abort() {
		// What was written goes out first (a head may wait for its body, writeHead): the visitor
		// sees a response cut short, not a connection closed before any answer.
		this.visitor.flush();
		this.visitor.close();
	}

	@Override
	public boolean writable() {
		return this.visitor.channel().isWritable();
	}

	@Override
	public void flushSoon() {
		if (!this.flushScheduled) {
			this.flushScheduled = true;
			this.visitor.channel().eventLoop().execute(() -> {
				this.flushScheduled = false;
				this.visitor.flush();
			});
		}
	}

	@Override
	public void exchangeEnded() {
		this.forwarder.exchangeEnded(this);
	}

}
