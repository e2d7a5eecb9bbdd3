package dev.warp.edge.ingress;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import dev.warp.edge.metrics.EdgeMetrics;
import dev.warp.edge.tunnel.TunnelConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request taken by {@link Http1Forwarder}: sent down a tunnel stream, its response written
 * to the visitor's connection as plain HTTP/1.1 objects. It keeps {@link TunnelExchange}'s
 * behaviour: one retry on another connection of the hostname when that is safe, {@code 504}
 * after the response timeout, {@code 502} when the tunnel fails before the response, an aborted
 * connection when it fails after; a small body that came with its head leaves in one write, a
 * larger one streams with the visitor's connection setting the pace.
 *
 * <p>Confined to the visitor's event loop: signals of a tunnel stream on another loop hop onto it.
 */
final class Http1Exchange implements Subscriber<ByteBuf> {

	private static final Logger logger = LoggerFactory.getLogger(Http1Exchange.class);

	/** Body buffers asked of the tunnel stream ahead of the visitor's writes. */
	private static final int BODY_PREFETCH = 8;

	private static final Set<AsciiString> FRAMING_HEADERS = Set.of(HttpHeaderNames.CONTENT_LENGTH,
			HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.TRAILER);

	private final Http1Forwarder forwarder;

	private final ChannelHandlerContext visitor;

	private final EventLoop loop;

	private final Http1Forwarder.Settings settings;

	private final HttpMethod method;

	private final String host;

	private final String hostname;

	private final String ray;

	private final boolean keepAlive;

	private final Http2Headers requestHeaders;

	private final long startNanos = System.nanoTime();

	/** The attempt under way; set by {@link #start}. */
	private TunnelResponse attempt;

	private @Nullable TunnelConnection target;

	private boolean retried;

	/** The connection's response timeout: set while this exchange waits for its response head. */
	private final LazyDeadline responseDeadline;

	private @Nullable Subscription body;

	/** Body buffers the visitor's connection was too busy to ask for yet. */
	private int owed;

	private boolean flushScheduled;

	private boolean headSent;

	private boolean chunked;

	/** The response's {@code Trailer} header: the trailers it may send. */
	private @Nullable String declaredTrailers;

	private boolean discardBody;

	private int status;

	private boolean ended;

	/** Whether the request has a body (of a declared length: {@link Http1Forwarder} takes no other). */
	private final boolean hasBody;

	/** The request body that came before the stream was ready, held for it (and for a retry). */
	private final ArrayDeque<ByteBuf> pendingBody = new ArrayDeque<>();

	private boolean bodyComplete;

	/** The stream the body goes to once its headers were sent; {@code null} before. */
	private @Nullable Http2StreamChannel bodyStream;

	/**
	 * @param request the visitor's request: its headers are read here, it is not kept
	 * @param hostname the hostname its {@code Host} routes to
	 */
	Http1Exchange(Http1Forwarder forwarder, ChannelHandlerContext visitor, HttpRequest request, String hostname,
			LazyDeadline responseDeadline, Http1Forwarder.Settings settings) {
		this.responseDeadline = responseDeadline;
		this.forwarder = forwarder;
		this.visitor = visitor;
		this.loop = visitor.channel().eventLoop();
		this.settings = settings;
		this.method = request.method();
		this.host = request.headers().get(HttpHeaderNames.HOST).trim();
		this.hostname = hostname;
		this.ray = RayIds.next(settings.nodeId());
		this.keepAlive = HttpUtil.isKeepAlive(request);
		this.hasBody = RequestBodies.hasBody(request.headers());
		this.requestHeaders = ForwardedHeaders.forTunnel(request.method(), request.uri(), request.headers(), settings.scheme(),
				this.host, ForwardedHeaders.visitorIp(visitor.channel().remoteAddress()), this.ray);
	}

	/** Whether the visitor's connection carries more requests after this one. */
	boolean keepAlive() {
		return this.keepAlive;
	}

	void start(TunnelConnection connection) {
		this.responseDeadline.set();
		send(connection);
	}

	/** One attempt: a stream on the connection, the request's headers on it, the response head back. */
	private void send(TunnelConnection connection) {
		TunnelResponse attempt = new TunnelResponse(this.loop);
		this.attempt = attempt;
		this.target = connection;
		connection.openStream(attempt).addListener((Future<Http2StreamChannel> opened) -> {
			if (!opened.isSuccess()) {
				// Nothing was sent: the request can go to another connection, whatever its method.
				onLoop(() -> failed(attempt, OriginFailure.unprocessed(
						"cannot open a stream on the tunnel connection (" + opened.cause().getMessage() + ")",
						opened.cause())));
				return;
			}
			Http2StreamChannel stream = opened.getNow();
			stream.writeAndFlush(new DefaultHttp2HeadersFrame(this.requestHeaders, !this.hasBody)).addListener((written) -> {
				if (!written.isSuccess()) {
					onLoop(() -> failed(attempt, OriginFailure.connectionLost(
							"cannot send the request on the tunnel connection (" + written.cause().getMessage() + ")")));
				}
			});
			if (this.hasBody) {
				// Written after the headers whichever loop the body's writes come from: they queue
				// behind them on the stream's loop.
				onLoop(() -> bodyStreamReady(attempt, stream));
			}
		});
		attempt.head()
			.subscribe((head) -> onLoop(() -> respond(attempt, head)), (error) -> onLoop(() -> failed(attempt, error)));
	}

	private void bodyStreamReady(TunnelResponse from, Http2StreamChannel stream) {
		if (from != this.attempt || this.ended) {
			return;
		}
		this.bodyStream = stream;
		boolean endSent = false;
		ByteBuf chunk;
		while ((chunk = this.pendingBody.poll()) != null) {
			endSent = this.bodyComplete && this.pendingBody.isEmpty();
			stream.write(new DefaultHttp2DataFrame(chunk, endSent));
		}
		if (this.bodyComplete && !endSent) {
			stream.write(new DefaultHttp2DataFrame(true));
		}
		stream.flush();
	}

	/**
	 * A part of the request's body from the visitor's connection, the last one with the end of
	 * the body. Owned from here: sent on the stream, held until it is ready, or released.
	 */
	void requestContent(HttpContent content) {
		boolean last = content instanceof LastHttpContent;
		ByteBuf chunk = content.content();
		if (this.ended) {
			chunk.release();
			return;
		}
		this.attempt.touch();
		Http2StreamChannel stream = this.bodyStream;
		if (stream == null) {
			this.bodyComplete = last;
			if (chunk.isReadable()) {
				this.pendingBody.add(chunk);
			}
			else {
				chunk.release();
			}
			return;
		}
		if (chunk.isReadable() || last) {
			stream.writeAndFlush(new DefaultHttp2DataFrame(chunk, last));
		}
		else {
			chunk.release();
		}
	}

	private void releasePendingBody() {
		ByteBuf chunk;
		while ((chunk = this.pendingBody.poll()) != null) {
			chunk.release();
		}
	}

	private void onLoop(Runnable task) {
		if (this.loop.inEventLoop()) {
			task.run();
		}
		else {
			this.loop.execute(task);
		}
	}

	/** No response head within the response timeout: the attempt under way fails, and {@link #failed} answers 504. */
	void responseTimedOut() {
		this.attempt.timeOut(new TimeoutException("no response within " + TunnelExchange.describe(this.settings.responseTimeout())));
	}

	private void stopResponseTimer() {
		this.responseDeadline.clear();
	}

	private void respond(TunnelResponse from, ResponseHead head) {
		ByteBuf whole = head.wholeBody();
		if (from != this.attempt || this.ended) {
			if (whole != null) {
				whole.release();
			}
			from.cancel();
			return;
		}
		stopResponseTimer();
		HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().newHeaders();
		try {
			ForwardedHeaders.toVisitor(head.headers(), headers);
		}
		catch (IllegalArgumentException ex) {
			// A value HTTP/1.1 cannot carry (a line break): nothing of the response can go out.
			if (whole != null) {
				whole.release();
			}
			from.cancel();
			logger.info("Request {} for {}: the agent sent an invalid response header ({}) (502)", this.ray,
					this.host, ex.getMessage());
			error(HttpResponseStatus.BAD_GATEWAY, "Origin failed: the agent sent an invalid response header");
			return;
		}
		this.status = head.status();
		HttpResponseStatus status = HttpResponseStatus.valueOf(head.status());
		headers.set(EdgeErrors.RAY_HEADER, this.ray);
		if (!this.keepAlive) {
			headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
		this.headSent = true;
		boolean noBody = HttpMethod.HEAD.equals(this.method) || head.status() == 204 || head.status() == 304;
		if (head.endOfStream() || whole != null) {
			ByteBuf content = (whole != null && !noBody) ? whole : Unpooled.EMPTY_BUFFER;
			if (whole != null && content != whole) {
				whole.release();
			}
			if (!noBody && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
				headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
			}
			end(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content, headers, EmptyHttpHeaders.INSTANCE));
			return;
		}
		this.discardBody = noBody;
		this.chunked = !noBody && !headers.contains(HttpHeaderNames.CONTENT_LENGTH);
		if (this.chunked) {
			headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
			this.declaredTrailers = headers.get(HttpHeaderNames.TRAILER);
		}
		// The head leaves at once: a stream of events shows its headers before its first event.
		this.visitor.writeAndFlush(new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, headers))
			.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
		Duration idle = this.settings.idleTimeout();
		if (idle != null) {
			from.watchIdle(idle);
		}
		from.subscribe(this);
	}

	// The body's subscriber: signals come on the tunnel stream's event loop.

	@Override
	public void onSubscribe(Subscription subscription) {
		onLoop(() -> {
			if (this.ended) {
				subscription.cancel();
				return;
			}
			this.body = subscription;
			subscription.request(BODY_PREFETCH);
		});
	}

	@Override
	public void onNext(ByteBuf buffer) {
		onLoop(() -> {
			if (this.ended || this.discardBody) {
				buffer.release();
				if (!this.ended) {
					askMore();
				}
				return;
			}
			this.visitor.write(new DefaultHttpContent(buffer)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
			scheduleFlush();
			askMore();
		});
	}

	private void askMore() {
		Subscription subscription = this.body;
		if (subscription == null) {
			return;
		}
		if (this.visitor.channel().isWritable()) {
			subscription.request(1);
		}
		else {
			this.owed++;
		}
	}

	/** The visitor's connection drained: the body buffers it was too busy for are asked for. */
	void writable() {
		Subscription subscription = this.body;
		if (subscription != null && this.owed > 0 && !this.ended) {
			int n = this.owed;
			this.owed = 0;
			subscription.request(n);
		}
	}

	/** Writes of one event-loop turn leave in one flush. */
	private void scheduleFlush() {
		if (!this.flushScheduled) {
			this.flushScheduled = true;
			this.loop.execute(() -> {
				this.flushScheduled = false;
				this.visitor.flush();
			});
		}
	}

	@Override
	public void onError(Throwable cause) {
		onLoop(() -> {
			if (this.ended) {
				return;
			}
			// The head went out: the only honest signal left is a truncated response.
			logger.info("Request {} for {}: {} after the response started; aborting the visitor's response", this.ray,
					this.host, cause.getMessage());
			this.ended = true;
			releasePendingBody();
			this.visitor.close();
			record(false);
		});
	}

	@Override
	public void onComplete() {
		onLoop(() -> {
			if (this.ended) {
				return;
			}
			LastHttpContent last = new DefaultLastHttpContent();
			Http2Headers trailers = this.attempt.trailers();
			if (this.chunked && trailers != null) {
				copyDeclaredTrailers(trailers, last.trailingHeaders());
			}
			end(last);
		});
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

	private void end(Object last) {
		this.ended = true;
		releasePendingBody();
		this.visitor.writeAndFlush(last).addListener(this.keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE
				: ChannelFutureListener.CLOSE);
		record(false);
		this.forwarder.exchangeEnded(this);
	}

	private void failed(TunnelResponse from, Throwable cause) {
		if (from != this.attempt || this.ended) {
			return;
		}
		if (this.headSent) {
			onError(cause);
			return;
		}
		if (cause instanceof OriginFailure failure && !this.retried && failure.allowsRetry(this.method, this.bodyStream != null)) {
			TunnelConnection failedOn = this.target;
			TunnelConnection other = this.settings.routes().select(this.hostname);
			if (other != null && other != failedOn) {
				this.retried = true;
				logger.info("Request {} for {}: {} on tunnel connection {}; retrying on {}", this.ray, this.host,
						cause.getMessage(), (failedOn != null) ? failedOn.id() : "?", other.id());
				send(other);
				return;
			}
		}
		stopResponseTimer();
		from.cancel();
		if (cause instanceof TimeoutException) {
			logger.info("Request {} for {}: no response from the agent within {} ms (504)", this.ray, this.host,
					this.settings.responseTimeout().toMillis());
			error(HttpResponseStatus.GATEWAY_TIMEOUT,
					"Origin timed out: no response within " + TunnelExchange.describe(this.settings.responseTimeout()));
			return;
		}
		String reason = (cause instanceof OriginFailure) ? cause.getMessage() : String.valueOf(cause);
		logger.info("Request {} for {}: {} (502)", this.ray, this.host, reason);
		logger.debug("Request {} failed", this.ray, cause);
		error(HttpResponseStatus.BAD_GATEWAY, "Origin failed: " + reason);
	}

	private void error(HttpResponseStatus status, String cause) {
		this.status = status.code();
		this.headSent = true;
		FullHttpResponse response = EdgeErrors.response(this.visitor.alloc(), status, cause, this.ray);
		if (!this.keepAlive) {
			response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
		end(response);
	}

	/** The visitor's connection closed: the tunnel stream is reset unless it completed. */
	void visitorLeft() {
		if (this.ended) {
			return;
		}
		this.ended = true;
		releasePendingBody();
		stopResponseTimer();
		this.attempt.cancel();
		record(!this.headSent);
	}

	private void record(boolean cancelledBeforeResponse) {
		EdgeMetrics metrics = this.settings.metrics();
		if (metrics != null) {
			metrics.recordRequest(this.host, this.status, cancelledBeforeResponse, System.nanoTime() - this.startNanos);
		}
	}

}
