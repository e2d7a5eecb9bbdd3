package dev.warp.edge.visitor;

import java.util.concurrent.TimeUnit;

import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.Exchange;
import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.exchange.Visitor;
import dev.warp.edge.exchange.ForwardedHeaders;
import dev.warp.edge.exchange.RayIds;
import dev.warp.edge.tunnel.ResponseHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.EmptyHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/2 visitor of one request taken by {@link Http2Forwarder}: its {@link Exchange}'s response written as
 * frames of the visitor's stream on the visitor's connection: the agent's headers pass as they
 * are (less what HTTP/2 forbids), the body as DATA frames as the visitor's flow-control window
 * allows, the agent's trailers as the last HEADERS frame. An aborted response resets the stream,
 * not the connection.
 */
final class Http2Visitor implements Visitor {

	private final Exchange exchange;

	private final Http2Forwarder forwarder;

	private final ExchangeSettings settings;

	private final String ray;

	/** The forwarder's context on the visitor's connection: frames written here reach its HTTP/2 codec. */
	private final ChannelHandlerContext visitor;

	private final Http2FrameStream stream;

	private @Nullable ScheduledFuture<?> responseTimer;

	/** Whether the edge answers before the request's body ended: the visitor is asked to stop sending it. */
	private boolean bodyRefused;

	/**
	 * @param request the visitor's request headers, with a {@code :method} (and a {@code :path}
	 * unless it is refused); read here, not kept
	 * @param hasBody whether DATA frames follow them ({@link Exchange#requestContent})
	 * @param host its {@code :authority} (or {@code Host}), or an empty string
	 * @param hostname the hostname that routes to, or {@code null} for a request the edge answers
	 * itself ({@link Exchange#refuse})
	 * @param fromPeer whether another edge node forwarded the request to this node's peer listener:
	 * it keeps the forwarding headers and the ray id that node gave it
	 * @throws IllegalArgumentException for a method name that is not a token
	 */
	Http2Visitor(Http2Forwarder forwarder, ChannelHandlerContext visitor, Http2FrameStream stream,
			Http2Headers request, boolean hasBody, String host, @Nullable String hostname, boolean fromPeer,
			ExchangeSettings settings) {
		this(forwarder, visitor, stream, request, hasBody, host, hostname, fromPeer, fromPeer
				? RayIds.forwarded(request.get(EdgeErrors.RAY_HEADER_LOWER), settings.nodeId()) : RayIds.next(settings.nodeId()),
				settings);
	}

	private Http2Visitor(Http2Forwarder forwarder, ChannelHandlerContext visitor, Http2FrameStream stream,
			Http2Headers request, boolean hasBody, String host, @Nullable String hostname, boolean fromPeer, String ray,
			ExchangeSettings settings) {
		this.forwarder = forwarder;
		this.visitor = visitor;
		this.stream = stream;
		this.settings = settings;
		this.ray = ray;
		Http2Headers forwarded = (hostname == null) ? EmptyHttp2Headers.INSTANCE
				: fromPeer ? ForwardedHeaders.fromPeer(request, host) : ForwardedHeaders.forTunnel(request,
						settings.scheme(), host, ForwardedHeaders.visitorIp(visitor.channel().remoteAddress()), ray);
		this.exchange = new Exchange(this, visitor.channel(), settings, HttpMethod.valueOf(request.method().toString()),
				host, (hostname != null) ? hostname : "", ray, forwarded, hasBody);
	}

	/** The request's life: routed, sent, retried, answered. */
	Exchange exchange() {
		return this.exchange;
	}

	@Override
	public void responseTimerStarted() {
		// Streams of one connection wait side by side: a timer each, cancelled when the head comes.
		responseTimerStopped();
		this.responseTimer = this.visitor.executor().schedule(this.exchange::responseTimedOut, this.settings.responseTimeout().toNanos(),
				TimeUnit.NANOSECONDS);
	}

	@Override
	public void responseTimerStopped() {
		ScheduledFuture<?> timer = this.responseTimer;
		if (timer != null) {
			this.responseTimer = null;
			timer.cancel(false);
		}
	}

	@Override
	public void writeHead(ResponseHead head, boolean noBody, boolean whole, @Nullable ByteBuf content) {
		Http2Headers headers = new DefaultHttp2Headers(true, true, head.headers().size() + 2);
		headers.status(HttpResponseStatus.valueOf(head.status()).codeAsText());
		ForwardedHeaders.toVisitor(head.headers(), headers);
		headers.set(EdgeErrors.RAY_HEADER_LOWER, this.ray);
		if (whole && content != null) {
			this.visitor.write(new DefaultHttp2HeadersFrame(headers, false).stream(this.stream));
			this.visitor.write(new DefaultHttp2DataFrame(content, true).stream(this.stream));
		}
		else {
			this.visitor.write(new DefaultHttp2HeadersFrame(headers, whole).stream(this.stream));
		}
		flushSoon();
	}

	@Override
	public void writeContent(ByteBuf content) {
		this.visitor.write(new DefaultHttp2DataFrame(content, false).stream(this.stream));
	}

	@Override
	public void writeEnd(@Nullable Http2Headers trailers) {
		Http2Headers out = null;
		if (trailers != null) {
			out = new DefaultHttp2Headers(true, true, trailers.size());
			try {
				ForwardedHeaders.toVisitor(trailers, out);
			}
			catch (IllegalArgumentException ex) {
				// The body went out whole: it ends without the trailer HTTP/2 cannot carry.
				out = null;
			}
		}
		if (out != null && !out.isEmpty()) {
			this.visitor.write(new DefaultHttp2HeadersFrame(out, true).stream(this.stream));
		}
		else {
			this.visitor.write(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true).stream(this.stream));
		}
		flushSoon();
	}

	/** Writes the {@code 100 (Continue)} a visitor that sent {@code expect: 100-continue} waits for. */
	void writeContinue() {
		this.visitor.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status(HttpResponseStatus.CONTINUE.codeAsText()), false).stream(this.stream));
		flushSoon();
	}

	@Override
	public void writeError(HttpResponseStatus status, String cause) {
		byte[] body = EdgeErrors.bodyBytes(cause, this.ray);
		this.visitor.write(new DefaultHttp2HeadersFrame(EdgeErrors.http2Headers(status, body.length, this.ray), false)
			.stream(this.stream));
		ChannelFuture written = this.visitor.write(
				new DefaultHttp2DataFrame(this.visitor.alloc().buffer(body.length).writeBytes(body), true).stream(this.stream));
		if (this.bodyRefused) {
			// Once the answer is out (a reset would drop what waits for the visitor's window), the
			// visitor may stop sending the body: RST_STREAM with NO_ERROR (RFC 9113 8.1).
			written.addListener((done) -> {
				if (!this.exchange.requestEnded()) {
					this.visitor.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR).stream(this.stream));
				}
			});
		}
		flushSoon();
	}

	@Override
	public void bodyRefused() {
		this.bodyRefused = true;
	}

	@Override
	public void abort() {
		this.visitor.write(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR).stream(this.stream));
		flushSoon();
		this.forwarder.exchangeEnded(this.stream);
	}

	@Override
	public boolean writable() {
		return this.forwarder.isWritable(this.stream);
	}

	@Override
	public void flushSoon() {
		this.forwarder.flushSoon();
	}

	@Override
	public void bodyWritten(ChannelFuture written, int bytes) {
		// The visitor may send more once these left for the tunnel, not before: what the edge
		// holds of a connection's bodies stays within the visitor's flow-control window.
		if (bytes > 0) {
			written.addListener((done) -> {
				EventExecutor loop = this.visitor.executor();
				if (loop.inEventLoop()) {
					this.forwarder.consumed(this.stream, bytes);
				}
				else {
					loop.execute(() -> this.forwarder.consumed(this.stream, bytes));
				}
			});
		}
	}

	@Override
	public void bodyDropped(int bytes) {
		this.forwarder.consumed(this.stream, bytes);
	}

	@Override
	public void exchangeEnded() {
		// A response whole before the request's body: the rest of the body still comes here, is
		// dropped and its bytes returned, until the stream closes. (A reset would also cancel
		// the response's frames still waiting for the visitor's flow-control window.)
		if (this.exchange.requestEnded()) {
			this.forwarder.exchangeEnded(this.stream);
		}
	}

}
