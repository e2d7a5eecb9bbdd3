package dev.warp.edge.visitor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.exchange.FailedRequests;
import dev.warp.edge.metrics.EdgeMetrics;
import dev.warp.edge.tunnel.OriginFailure;
import dev.warp.edge.tunnel.ResponseHead;
import dev.warp.edge.tunnel.TunnelConnection;
import dev.warp.edge.tunnel.WebSocketStream;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * A visitor's WebSocket handshake on its way to the application, whatever the visitor speaks
 * (HTTP/1.1 {@link WebSocketVisitor}, HTTP/2 {@link Http2WebSocket}): an RFC 8441 extended
 * CONNECT on a tunnel stream, retried once on another connection of the hostname when the
 * application never saw it, timed out after the response timeout. The visitor's side writes the
 * answer it gets: the application's (accepted or refused) or the edge's ({@link FailedRequests}).
 *
 * <p>Confined to the visitor's event loop: the tunnel stream's signals hop onto it.
 */
final class WebSocketHandshake {

	/** The visitor's side: writes the answer to the handshake, exactly one of these, once. */
	interface Answers {

		/** The application accepted (a 2xx): the WebSocket is open on {@code stream}. */
		void accepted(WebSocketStream stream, ResponseHead head);

		/** The application refused: the visitor gets its response; the stream is the visitor side's to end. */
		void refused(WebSocketStream stream, ResponseHead head);

		/** The edge's own answer: no tunnel stream took the handshake, or none answered in time. */
		void failed(FailedRequests.Answer answer);

	}

	private final ExchangeSettings settings;

	private final EventExecutor loop;

	private final Answers answers;

	private final String host;

	private final String hostname;

	private final String ray;

	private final Http2Headers tunnelHeaders;

	private final long startNanos = System.nanoTime();

	private TunnelConnection target;

	private @Nullable WebSocketStream attempt;

	private @Nullable ScheduledFuture<?> timeout;

	private boolean retried;

	/** Whether the handshake has its answer (the application's, or the edge's), or the visitor left. */
	private boolean answered;

	/**
	 * @param tunnelHeaders the extended CONNECT for the application
	 * @param loop the visitor's event loop
	 */
	WebSocketHandshake(ExchangeSettings settings, EventExecutor loop, Answers answers, String host, String hostname,
			String ray, Http2Headers tunnelHeaders, TunnelConnection target) {
		this.settings = settings;
		this.loop = loop;
		this.answers = answers;
		this.host = host;
		this.hostname = hostname;
		this.ray = ray;
		this.tunnelHeaders = tunnelHeaders;
		this.target = target;
	}

	String ray() {
		return this.ray;
	}

	void start() {
		long nanos = this.settings.responseTimeout().toNanos();
		this.timeout = this.loop.schedule(() -> failed(this.attempt, new TimeoutException()), nanos,
				TimeUnit.NANOSECONDS);
		send(this.target);
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
		if (cause instanceof OriginFailure failure && !this.retried && failure.allowsRetry(HttpMethod.CONNECT, false)) {
			TunnelConnection other = (this.settings.upstream().another(this.hostname, this.target) instanceof TunnelConnection local)
					? local : null;
			if (other != null) {
				this.retried = true;
				FailedRequests.retried("WebSocket", this.ray, this.host, failure.getMessage(),
						"tunnel connection " + other.id() + " (failed on " + this.target.id() + ")");
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
		if (metrics != null) {
			metrics.recordRoutedRequest(this.hostname, status, status == 0, System.nanoTime() - this.startNanos);
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
