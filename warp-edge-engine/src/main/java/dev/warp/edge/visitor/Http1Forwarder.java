package dev.warp.edge.visitor;

import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.acme.AcmeHttpChallenges;
import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.exchange.FailedRequests;
import dev.warp.edge.exchange.RequestBodies;
import dev.warp.edge.tunnel.StreamConnection;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Frame;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * Forwards an HTTP/1.x visitor's requests down the tunnel ({@link Http1Visitor}). Sits in the
 * visitor connection's pipeline after the HTTP codec ({@link VisitorPipeline}).
 *
 * <p>Every request is sent to its hostname's upstream (a tunnel connection here, or another
 * node's), or answered here when no tunnel serves it ({@code 503}) or its head decides the
 * answer; a WebSocket handshake goes to {@link WebSocketVisitor}, and a connection that turns
 * HTTP/2 (h2c) to an {@link Http2Forwarder}. Responses leave in request order: requests
 * pipelined behind one in progress wait here, with reading paused, until its response has been
 * written.
 *
 * <p>Every request head passes {@link VisitorRequestHead} first: one that breaks RFC 9112 is
 * answered here and the connection closed.
 *
 * <p>A body streams to the tunnel as it comes; reading pauses while too much of it waits for
 * the tunnel ({@link Http1Visitor#UNSENT_HIGH}). {@code Expect: 100-continue} is answered at once (ignored in an HTTP/1.0 request, RFC 9110 10.1.1).
 *
 */
public final class Http1Forwarder extends ChannelInboundHandlerAdapter {

	static final String NAME = "warp.http1Forwarder";

	private final ExchangeSettings settings;

	/** The end of a request taken here is still to come (the codec sends it after the request). */
	private boolean restOfRequestToCome;

	/** The exchange that sends the body of the request taken last while that body comes. */
	private @Nullable Http1Visitor bodyReceiver;

	private @Nullable Http1Visitor current;

	/**
	 * Whether a request was refused ({@link VisitorRequestHead}): the connection closes after the
	 * answer, and nothing read after that request is taken or passed on.
	 */
	private boolean refused;

	/** The exchange whose body is too far ahead of the tunnel: reading is off until it catches up. */
	private @Nullable Http1Visitor pacing;

	/** Messages of requests pipelined behind the one in progress here, in order. */
	private final HeldRequests held = new HeldRequests();

	private @Nullable ChannelHandlerContext context;

	private @Nullable RequestHeaderTimeout headerTimeout;

	/** The response timeout of the exchange in progress: one per connection (made in handlerAdded), set per request. */
	private LazyDeadline responseDeadline;

	/** Told about the connection if it becomes HTTP/2 (h2c), to watch it for abuse. */
	private final AbusiveClients abusiveClients;

	/** Answers ACME HTTP-01 challenges: the edge's own, never forwarded. */
	private final AcmeHttpChallenges acmeChallenges;

	Http1Forwarder(ExchangeSettings settings, AbusiveClients abusiveClients) {
		this(settings, abusiveClients, AcmeHttpChallenges.NONE);
	}

	Http1Forwarder(ExchangeSettings settings, AbusiveClients abusiveClients, AcmeHttpChallenges acmeChallenges) {
		this.settings = settings;
		this.abusiveClients = abusiveClients;
		this.acmeChallenges = acmeChallenges;
	}

	/** A forwarder like this one, for the connection this one left (a handler is added once). */
	Http1Forwarder another() {
		return new Http1Forwarder(this.settings, this.abusiveClients, this.acmeChallenges);
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.context = ctx;
		this.headerTimeout = ctx.pipeline().get(RequestHeaderTimeout.class);
		this.responseDeadline = new LazyDeadline(ctx.executor(), this.settings.responseTimeout().toNanos(), () -> {
			Http1Visitor visitor = this.current;
			if (visitor != null) {
				visitor.exchange().responseTimedOut();
			}
		});
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (this.refused) {
			ReferenceCountUtil.release(msg);
		}
		else if (this.restOfRequestToCome) {
			restOfRequest(msg);
		}
		else if (!this.held.isEmpty() || waits(msg)) {
			this.held.hold(ctx, msg);
		}
		else {
			dispatch(ctx, msg);
		}
	}

	/** Whether a message must wait for the request in progress: anything while an exchange is under way. */
	private boolean waits(Object msg) {
		return this.current != null;
	}

	private void dispatch(ChannelHandlerContext ctx, Object msg) {
		if (MalformedRequests.isMalformed(msg)) {
			// The connection closes: nothing read after this request is a request.
			this.refused = true;
			this.held.release();
			MalformedRequests.answer(ctx, (HttpRequest) msg);
			return;
		}
		if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
			// Before anything routes by the Host this leaves or reads a body whose framing the edge
			// does not know.
			VisitorRequestHead.Refusal refusal = VisitorRequestHead.accept(request);
			if (refusal != null) {
				refuse(ctx, request, refusal);
				return;
			}
		}
		if (msg instanceof HttpRequest request) {
			if (this.acmeChallenges.answer(ctx, request)) {
				// Answered and closing: nothing read after it is taken.
				this.refused = true;
				this.held.release();
				return;
			}
			if (WebSocketUpgrade.isRequested(request)) {
				WebSocketVisitor.take(ctx, this, request, this.settings, this.held.isEmpty());
				return;
			}
			take(ctx, request);
			return;
		}
		if (msg instanceof Http2Frame) {
			becomeHttp2(ctx, msg);
			return;
		}
		// What is left of a request already answered (the rest of a body the edge did not read).
		ReferenceCountUtil.release(msg);
	}

	/**
	 * Answers a request that breaks RFC 9112 and closes the connection: what follows it on the
	 * connection (its body, requests pipelined behind it) cannot be told apart with certainty, so
	 * none of it is read as a request. No request is in progress: a request is dispatched only then.
	 */
	private void refuse(ChannelHandlerContext ctx, HttpRequest request, VisitorRequestHead.Refusal refusal) {
		this.refused = true;
		ReferenceCountUtil.release(request);
		this.held.release();
		if (this.headerTimeout != null) {
			this.headerTimeout.headersReceived();
		}
		Http1RequestRules.refuse(ctx, refusal, this.settings.nodeId());
	}

	/**
	 * The connection turned HTTP/2: the visitor sent HTTP/2's preface (prior knowledge) or its
	 * {@code Upgrade: h2c} was taken ({@link H2cUpgrade}), and the HTTP/2 frame codec is where the
	 * HTTP/1.1 codec was. An {@link Http2Forwarder} takes this handler's place.
	 */
	private void becomeHttp2(ChannelHandlerContext ctx, Object msg) {
		this.abusiveClients.watch(ctx.channel());
		Http2Forwarder forwarder = new Http2Forwarder(this.settings, false);
		ctx.pipeline().replace(this, Http2Forwarder.NAME, forwarder);
		forwarder.channelRead(ctx.pipeline().context(forwarder), msg);
	}

	/**
	 * Takes a request: routed to its hostname's upstream, or answered by the edge when its head
	 * decides the answer ({@link EarlyAnswers}), when its declared body is past
	 * the limit ({@code 413}), or when no tunnel serves its hostname ({@code 503}).
	 */
	private void take(ChannelHandlerContext ctx, HttpRequest request) {
		String hostname = TunnelProtocol.routingHostname(request.headers().get(HttpHeaderNames.HOST));
		FailedRequests.Answer answer = EarlyAnswers.of(request, hostname);
		StreamConnection connection = (answer == null) ? this.settings.upstream().select(hostname) : null;
		if (answer == null && connection == null) {
			answer = FailedRequests.noTunnel(hostname);
		}
		boolean tooLarge = answer == null && RequestBodies.declaredLength(request.headers()) > this.settings.maxRequestBody();
		// Requests without a body keep the shape they had before bodies came here: a rewrite with
		// one field for both the body's end and its receiver, the same logic, measured 15 % fewer
		// GETs at 64 connections (a third more context switches per request).
		this.restOfRequestToCome = !(request instanceof LastHttpContent);
		boolean body = RequestBodies.hasBody(request.headers());
		if (body && this.restOfRequestToCome && !ctx.channel().config().isAutoRead()) {
			// Reading was paused for requests held behind the last one: the body comes without asking.
			ctx.channel().config().setAutoRead(true);
		}
		if (this.headerTimeout != null) {
			this.headerTimeout.headersReceived();
		}
		if (connection != null && !tooLarge && body && this.restOfRequestToCome && HttpUtil.is100ContinueExpected(request)
				&& Http1RequestRules.writeContinue(ctx, ctx.newPromise().addListener(ChannelFutureListener.CLOSE_ON_FAILURE))) {
			// The edge reads the body at once: the visitor may send it.
			ctx.flush();
		}
		Http1Visitor visitor = new Http1Visitor(this, ctx, request, (hostname != null) ? hostname : "", this.responseDeadline,
				this.settings);
		this.current = visitor;
		if (body && this.restOfRequestToCome) {
			this.bodyReceiver = visitor;
		}
		if (answer != null) {
			visitor.exchange().refuse(answer);
		}
		else if (tooLarge) {
			visitor.exchange().bodyTooLarge();
		}
		else {
			visitor.exchange().start(connection, true);
		}
		if (body && request instanceof HttpContent content) {
			visitor.requestContent(content.retain());
		}
		ReferenceCountUtil.release(request);
	}

	/**
	 * The exchange's body is too far ahead of the tunnel: reading stops, unless all of the body
	 * has come already.
	 */
	void pauseBody(Http1Visitor visitor) {
		ChannelHandlerContext ctx = this.context;
		if (visitor != this.bodyReceiver || ctx == null) {
			return;
		}
		this.pacing = visitor;
		ctx.channel().config().setAutoRead(false);
	}

	/** The exchange's body caught up with the tunnel: reading goes on unless requests wait. */
	void resumeBody(Http1Visitor visitor) {
		ChannelHandlerContext ctx = this.context;
		if (visitor != this.pacing || ctx == null) {
			return;
		}
		this.pacing = null;
		if (!this.held.pausedReading()) {
			ctx.channel().config().setAutoRead(true);
		}
	}

	/** A part of the body of the request taken last: the exchange sends it, or drops it once ended. */
	private void restOfRequest(Object msg) {
		if (msg instanceof LastHttpContent) {
			this.restOfRequestToCome = false;
		}
		Http1Visitor visitor = this.bodyReceiver;
		if (visitor != null && msg instanceof HttpContent content) {
			if (!this.restOfRequestToCome) {
				this.bodyReceiver = null;
			}
			visitor.requestContent(content);
		}
		else {
			ReferenceCountUtil.release(msg);
		}
	}

	/**
	 * The exchange in progress has written its whole response: the next request's headers are
	 * due, and those that waited are read.
	 */
	void exchangeEnded(Http1Visitor visitor) {
		if (this.current != visitor) {
			return;
		}
		this.current = null;
		// The rest of its body, if any, is read and dropped.
		this.pacing = null;
		ChannelHandlerContext ctx = this.context;
		if (ctx == null || !ctx.channel().isActive() || !visitor.keepAlive()) {
			this.held.release();
			return;
		}
		if (this.headerTimeout != null) {
			this.headerTimeout.responseComplete();
		}
		goOn(ctx);
	}

	/** No exchange is in progress here any more: the requests that waited are dispatched, then reading goes on. */
	private void goOn(ChannelHandlerContext ctx) {
		this.held.resumeReading(ctx);
		while (!this.held.isEmpty()) {
			if (this.restOfRequestToCome) {
				// The rest of the request just taken: its exchange waits for it.
				restOfRequest(this.held.poll());
			}
			else if (waits(this.held.peek())) {
				break;
			}
			else {
				dispatch(ctx, this.held.poll());
			}
		}
		this.held.pauseIfWaiting(ctx);
		if (this.held.isEmpty() && this.current == null && !ctx.channel().config().isAutoRead()) {
			// Between requests the connection reads by itself, which spares turning the socket's
			// read interest on and off (two epoll_ctl calls) per request.
			ctx.channel().config().setAutoRead(true);
		}
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		Http1Visitor visitor = this.current;
		if (visitor != null && ctx.channel().isWritable()) {
			visitor.exchange().writable();
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.responseDeadline.cancel();
		Http1Visitor visitor = this.current;
		if (visitor != null) {
			visitor.exchange().visitorLeft();
		}
		this.held.release();
		ctx.fireChannelInactive();
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		this.responseDeadline.cancel();
		this.held.release();
	}

}
