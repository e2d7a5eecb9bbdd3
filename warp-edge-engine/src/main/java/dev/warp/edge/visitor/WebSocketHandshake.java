package dev.warp.edge.visitor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import dev.warp.core.protocol.TunnelProtocol;

import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.exchange.FailedRequests;
import dev.warp.edge.log.LogText;
import dev.warp.edge.metrics.EdgeMetrics;
import dev.warp.edge.tunnel.OriginFailure;
import dev.warp.edge.tunnel.ResponseHead;
import dev.warp.edge.tunnel.TunnelConnection;
import dev.warp.edge.tunnel.WebSocketStream;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A visitor's WebSocket handshake on its way to the application, whatever the visitor speaks
 * (HTTP/1.1 {@link WebSocketVisitor}, HTTP/2 {@link Http2WebSocket}): an RFC 8441 extended
 * CONNECT on a tunnel stream, retried once on another connection of the hostname when the
 * application never saw it, timed out after the response timeout. The visitor's side writes the
 * answer it gets: the application's (accepted or refused) or the edge's ({@link FailedRequests}),
 * which may come before the application saw anything: a handshake the edge refuses
 * ({@link WebSocketUpgrade#refusal}), or one for a hostname without a tunnel connection here.
 *
 * <p>Confined to the visitor's event loop: the tunnel stream's signals hop onto it.
 */
final class WebSocketHandshake {

	private static final Logger logger = LoggerFactory.getLogger(WebSocketHandshake.class);

	/** The visitor's side: writes the answer to the handshake, exactly one of these, once. */
	interface Answers {

		/** The application accepted (a 2xx): the WebSocket is open on {@code stream}. */
		void accepted(WebSocketStream stream, ResponseHead head);

		/** The application refused: the visitor gets its response; the stream is the visitor side's to end. */
		void refused(WebSocketStream stream, ResponseHead head);

		/**
		 * The edge's own answer: it refused the handshake, no tunnel stream took it, or none
		 * answered in time. A {@code 426} names the version the edge speaks
		 * ({@link WebSocketUpgrade#VERSION}) in {@code Sec-WebSocket-Version}.
		 */
		void failed(FailedRequests.Answer answer);

	}

	private final ExchangeSettings settings;

	private final EventExecutor loop;

	private final Answers answers;

	private final String host;

	private final @Nullable String hostname;

	private final String ray;

	private final long startNanos = System.nanoTime();

	private @Nullable Http2Headers tunnelHeaders;

	private @Nullable TunnelConnection target;

	private @Nullable WebSocketStream attempt;

	private @Nullable ScheduledFuture<?> timeout;

	private boolean retried;

	/** Whether the handshake has its answer (the application's, or the edge's), or the visitor left. */
	private boolean answered;

	/**
	 * @param loop the visitor's event loop
	 * @param host the visitor's {@code Host} (or {@code :authority}), if any
	 */
	WebSocketHandshake(ExchangeSettings settings, EventExecutor loop, Answers answers, @Nullable String host, String ray) {
		this.settings = settings;
		this.loop = loop;
		this.answers = answers;
		this.host = (host != null) ? host.trim() : "";
		this.hostname = TunnelProtocol.routingHostname(host);
		this.ray = ray;
	}

	/** The visitor's {@code Host} (or {@code :authority}), trimmed; empty without one. */
	String host() {
		return this.host;
	}

	/** The hostname the handshake routes to, or {@code null} without a valid host. */
	@Nullable String hostname() {
		return this.hostname;
	}

	/**
	 * Sends the handshake to a tunnel connection of its hostname, or answers it at once: with
	 * {@code refusal} when there is one ({@link WebSocketUpgrade#refusal}), {@code 503} when this
	 * node has no tunnel connection for it (a WebSocket is relayed by the node that holds the
	 * tunnel, not forwarded to another node).
	 * @param tunnelHeaders the extended CONNECT for the application, made only if it is sent
	 */
	void start(FailedRequests.@Nullable Answer refusal, Supplier<Http2Headers> tunnelHeaders) {
		String hostname = this.hostname;
		if (refusal == null && hostname == null) {
			refusal = EarlyAnswers.MISSING_HOST;
		}
		TunnelConnection target = (refusal == null && this.settings.upstream().select(hostname) instanceof TunnelConnection local)
				? local : null;
		if (refusal != null || target == null) {
			refuse((refusal != null) ? refusal : new FailedRequests.Answer(HttpResponseStatus.SERVICE_UNAVAILABLE,
					FailedRequests.noTunnel(hostname).cause() + " on this edge node"));
			return;
		}
		this.tunnelHeaders = tunnelHeaders.get();
		long nanos = this.settings.responseTimeout().toNanos();
		this.timeout = this.loop.schedule(() -> failed(this.attempt, new TimeoutException()), nanos,
				TimeUnit.NANOSECONDS);
		send(target);
	}

	/** The edge answers the handshake itself: the application never sees it. */
	private void refuse(FailedRequests.Answer refusal) {
		ended();
		logger.debug("WebSocket {} for {}: answered by the edge with {} ({})", this.ray, LogText.escape(this.host),
				refusal.status().code(), refusal.cause());
		EdgeMetrics metrics = this.settings.metrics();
		if (metrics != null) {
			metrics.recordRequest(this.host, refusal.status().code(), false, System.nanoTime() - this.startNanos);
		}
		this.answers.failed(refusal);
	}

	/** One attempt: a stream on the connection, the handshake on it, the application's answer back. */
	private void send(TunnelConnection connection) {
		this.target = connection;
		if (!connection.acceptsWebSockets()) {
			// Unseen by the application: another connection (of a newer agent, say) may take it.
			failed(this.attempt, OriginFailure.unprocessed("the application's Warp agent does not accept WebSockets "
					+ "(no RFC 8441 extended CONNECT); upgrade it", null));
			return;
		}
		WebSocketStream stream = new WebSocketStream();
		this.attempt = stream;
		this.settings.upstream().open(connection, stream, true).addListener((Future<Http2StreamChannel> opened) -> {
			if (!opened.isSuccess()) {
				onLoop(() -> failed(stream, OriginFailure.unprocessed("cannot open a stream on the tunnel connection ("
						+ opened.cause().getMessage() + ")", opened.cause())));
				return;
			}
			opened.getNow().writeAndFlush(new DefaultHttp2HeadersFrame(this.tunnelHeaders, false)).addListener((written) -> {
				if (!written.isSuccess()) {
					onLoop(() -> failed(stream, OriginFailure.connectionLost("cannot send the handshake on the tunnel "
							+ "connection (" + written.cause().getMessage() + ")")));
				}
			});
		});
		stream.head().subscribe((head) -> onLoop(() -> answered(stream, head)),
				(error) -> onLoop(() -> failed(stream, error)));
	}

	private void failed(@Nullable WebSocketStream from, Throwable cause) {
		if (from != this.attempt || this.answered) {
			return;
		}
		String hostname = this.hostname;
		TunnelConnection failedOn = this.target;
		if (cause instanceof OriginFailure failure && !this.retried && failure.allowsRetry(HttpMethod.CONNECT, false)
				&& hostname != null && failedOn != null) {
			TunnelConnection other = (this.settings.upstream().another(hostname, failedOn) instanceof TunnelConnection local)
					? local : null;
			if (other != null) {
				this.retried = true;
				FailedRequests.retried("WebSocket", this.ray, this.host, failure.getMessage(),
						"tunnel connection " + other.id() + " (failed on " + failedOn.id() + ")");
				send(other);
				return;
			}
		}
		ended();
		if (from != null) {
			from.cancel();
		}
		FailedRequests.Answer answer = FailedRequests.answer("WebSocket", this.ray, this.host, cause,
				"no answer to the WebSocket handshake within " + this.settings.responseTimeout().toMillis() + " ms");
		record(answer.status().code());
		this.answers.failed(answer);
	}

	private void answered(WebSocketStream from, ResponseHead head) {
		if (from != this.attempt || this.answered) {
			from.cancel();
			return;
		}
		ended();
		if (head.status() / 100 == 2) {
			this.answers.accepted(from, head);
		}
		else {
			record(head.status());
			this.answers.refused(from, head);
		}
	}

	/** The visitor left: a handshake still on its way is cancelled, and counts as a request the visitor abandoned. */
	void visitorLeft() {
		if (!this.answered) {
			ended();
			WebSocketStream attempt = this.attempt;
			if (attempt != null) {
				attempt.cancel();
			}
			record(0);
		}
	}

	private void ended() {
		this.answered = true;
		ScheduledFuture<?> timeout = this.timeout;
		if (timeout != null) {
			timeout.cancel(false);
		}
	}

	/** Records the request with its {@code status} ({@code 0}: abandoned by the visitor). */
	void record(int status) {
		EdgeMetrics metrics = this.settings.metrics();
		String hostname = this.hostname;
		if (metrics != null && hostname != null) {
			metrics.recordRoutedRequest(hostname, status, status == 0, System.nanoTime() - this.startNanos);
		}
	}

	void onLoop(Runnable task) {
		if (this.loop.inEventLoop()) {
			task.run();
		}
		else {
			this.loop.execute(task);
		}
	}

}
