package dev.warp.edge.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;


import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.FailedRequests;
import dev.warp.edge.exchange.ForwardedHeaders;
import dev.warp.edge.exchange.RequestBodies;
import dev.warp.edge.log.RepeatedWarning;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.Http2Headers;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * One visitor request forwarded to the peer listener of the node that holds a tunnel for its
 * hostname, and the response sent back. Both bodies stream under HTTP/2 flow control: the
 * visitor's body is read only as the peer stream takes it, and the peer's response body only as
 * the visitor takes it. The request carries the headers this node computed for the tunnel
 * ({@code X-Forwarded-*}, {@code Warp-Connecting-IP}, {@code Warp-Ray}), which the peer keeps.
 *
 * <p>A node that cannot be connected to is skipped for the next one of the hostname: nothing was
 * sent to it.
 */
public final class PeerExchange {

	private static final Logger logger = LoggerFactory.getLogger(PeerExchange.class);

	/** A node whose TLS fails, fails every request sent to it: one line a minute, not one per request. */
	private static final RepeatedWarning untrustedPeers = new RepeatedWarning(logger,
			"request(s) failed because TLS with another edge node failed; do both nodes have the same ca.pem and "
					+ "ca-key.pem in their data directories?");

	private final HttpClient client;

	private final PeerDirectory directory;

	private final HttpServerRequest request;

	private final HttpServerResponse response;

	/**
	 * The visitor's connection, taken while it is open: once it closed, it may no longer be
	 * registered with an event loop, which a response arriving then must not ask it for.
	 */
	private final Channel visitor;

	/** The visitor connection's event loop, where the response is written. */
	private final EventLoop visitorLoop;

	private final String host;

	private final String hostname;

	private final String ray;

	private final Duration responseTimeout;

	/** When the visitor's request last sent a byte here: what the response timeout counts from. */
	private volatile long lastRequestByteNanos = System.nanoTime();

	private final Http2Headers headers;

	private final boolean hasBody;

	private volatile boolean answered;

	private volatile @Nullable Peer target;

	PeerExchange(HttpClient client, PeerDirectory directory, HttpServerRequest request, HttpServerResponse response,
			String host, String hostname, String ray, Duration responseTimeout) {
		this.client = client;
		this.directory = directory;
		this.request = request;
		this.response = response;
		Channel[] visitor = new Channel[1];
		response.withConnection((connection) -> visitor[0] = connection.channel());
		this.visitor = visitor[0];
		this.visitorLoop = this.visitor.eventLoop();
		this.host = host;
		this.hostname = hostname;
		this.ray = ray;
		this.responseTimeout = responseTimeout;
		this.headers = ForwardedHeaders.forTunnel(request, host, ForwardedHeaders.visitorIp(request), ray);
		this.hasBody = RequestBodies.hasBody(request.requestHeaders());
	}

	/** @param peers the nodes that hold a tunnel for the hostname, in the order to try them */
	Mono<Void> forward(List<Peer> peers) {
		return attempt(peers, 0).timeout(headTimeout()).onErrorResume(this::fail);
	}

	private Mono<Void> attempt(List<Peer> peers, int index) {
		Peer peer = peers.get(index);
		this.target = peer;
		AtomicBoolean connected = new AtomicBoolean();
		return this.client.request(this.request.method())
			.uri(uri(peer))
			.send((out, outbound) -> {
				connected.set(true);
				HttpHeaders outHeaders = out.requestHeaders();
				// Exactly the tunnel's headers: none of the client's defaults (User-Agent, Accept).
				outHeaders.clear();
				ForwardedHeaders.toPeer(this.headers, outHeaders);
				outHeaders.set(HttpHeaderNames.HOST, this.host);
				return this.hasBody ? outbound.send(this.request.receive()
					.retain()
					.doOnNext((chunk) -> this.lastRequestByteNanos = System.nanoTime())) : outbound;
			})
			.response((in, body) -> {
				this.answered = true;
				if (!this.visitor.isActive()) {
					// The visitor left: nobody reads this response (the client releases its body).
					return Mono.empty();
				}
				return respond(in, body).subscribeOn(Schedulers.fromExecutor(this.visitorLoop));
			})
			.then()
			.onErrorResume((ex) -> !connected.get() && isUnreachable(ex) && index + 1 < peers.size(), (ex) -> {
				FailedRequests.retried("Request", this.ray, this.host, "edge node " + peer + " cannot be reached ("
						+ ex.getMessage() + ")", "edge node " + peers.get(index + 1));
				this.directory.forget(this.hostname);
				return attempt(peers, index + 1);
			});
	}

	private Mono<Void> respond(HttpClientResponse in, ByteBufFlux body) {
		HttpServerResponse out = this.response;
		out.status(in.status());
		HttpHeaders headers = out.responseHeaders();
		ForwardedHeaders.fromPeerToVisitor(in.responseHeaders(), headers);
		int status = in.status().code();
		boolean noBody = HttpMethod.HEAD.equals(this.request.method()) || status == 204 || status == 304;
		if (noBody || headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
			// Reactor Netty starts every response chunked; a known length or no body needs no chunks.
			headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
		}
		headers.set(EdgeErrors.RAY_HEADER, this.ray);
		AtomicReference<HttpHeaders> trailers = new AtomicReference<>();
		in.trailerHeaders().subscribe(trailers::set, (ex) -> {
		});
		out.trailerHeaders((outTrailers) -> {
			HttpHeaders received = trailers.get();
			if (received != null) {
				for (Map.Entry<String, String> trailer : received) {
					outTrailers.add(trailer.getKey(), trailer.getValue());
				}
			}
		});
		Flux<ByteBuf> chunks = body.retain().onErrorResume(this::abortVisitor);
		// Reactor Netty flushes whenever it runs out of chunks to write, so a lone event goes out at once.
		return out.send(chunks, (chunk) -> false).then();
	}

	/**
	 * The peer's response broke after its headers went out: abort the visitor's connection (or
	 * h2 stream), so the visitor sees a truncated response, not a short one.
	 */
	private Mono<ByteBuf> abortVisitor(Throwable cause) {
		FailedRequests.aborted("Request", this.ray, this.host, cause.getMessage() + " from edge node " + this.target);
		return Mono.<Void>create((sink) -> this.visitor.close().addListener((closed) -> sink.success()))
			.then(Mono.error(cause));
	}

	private Mono<Void> fail(Throwable cause) {
		if (this.response.hasSentHeaders()) {
			return Mono.error(cause);
		}
		Peer peer = this.target;
		if (cause instanceof TimeoutException) {
			FailedRequests.Answer answer = FailedRequests.timedOut("Request", this.ray, this.host,
					"no response within " + this.responseTimeout.toSeconds() + " s");
			return EdgeErrors.send(this.response, answer.status(), answer.cause(), this.ray);
		}
		this.directory.forget(this.hostname);
		if (isUntrusted(cause)) {
			untrustedPeers.occurred("request " + this.ray + " for " + this.host + " to edge node " + peer + " ("
					+ cause.getMessage() + ")");
		}
		String reason = isUnreachable(cause) ? "edge node " + nodeId(peer) + ", which holds its tunnel, cannot be reached"
				: "edge node " + nodeId(peer) + " failed the request (" + cause.getMessage() + ")";
		FailedRequests.Answer answer = FailedRequests.failed("Request", this.ray, this.host, reason, cause);
		return EdgeErrors.send(this.response, answer.status(), answer.cause(), this.ray);
	}

	/**
	 * Times out a peer that sends no response headers within the response timeout of the
	 * request's last byte (a long upload is not cut off while its body flows); once they arrived,
	 * the body may take its time.
	 */
	private Mono<Long> headTimeout() {
		return Mono.defer(() -> {
			if (this.answered) {
				return Mono.never();
			}
			long left = this.responseTimeout.plus(PeerRoute.RESPONSE_MARGIN).toNanos() - (System.nanoTime() - this.lastRequestByteNanos);
			return (left <= 0) ? Mono.just(0L) : Mono.delay(Duration.ofNanos(left)).flatMap((tick) -> headTimeout());
		});
	}

	private String uri(Peer peer) {
		String path = ForwardedHeaders.path(this.request.uri());
		String authority = (peer.host().contains(":") ? "[" + peer.host() + "]" : peer.host()) + ":" + peer.port();
		return "https://" + authority + (path.startsWith("/") ? path : "/" + path);
	}

	private static String nodeId(@Nullable Peer peer) {
		return (peer != null) ? peer.nodeId() : "?";
	}

	private static boolean isUnreachable(Throwable ex) {
		return PeerRoute.isUnreachable(ex);
	}

	private static boolean isUntrusted(Throwable ex) {
		return PeerRoute.isUntrusted(ex);
	}

}
