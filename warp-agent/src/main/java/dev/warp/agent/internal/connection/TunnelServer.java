package dev.warp.agent.internal.connection;

import java.io.IOException;

import dev.warp.agent.RequestOutcome;
import dev.warp.core.protocol.TunnelProtocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.Connection;
import reactor.netty.ConnectionObserver;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerConfig;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;

/**
 * The HTTP/2 server side of every tunnel connection: Reactor Netty's own HTTP/2 server pipeline,
 * installed on a connection the agent dialled, serving each stream straight into the
 * application's {@link HttpHandler} through Spring's {@link ReactorHttpHandlerAdapter}, exactly
 * as Spring Boot's Netty web server does. No listening port, no second hop.
 *
 * <p>Built once per tunnel and shared by its connections; the control stream of each connection
 * goes to that connection instead of the application.
 */
public final class TunnelServer {

	private static final Logger logger = LoggerFactory.getLogger(TunnelServer.class);

	/**
	 * Per-stream flow-control window, which a request body (an upload) moves through: at most one
	 * window per round trip to the edge. It is also what a request body the application leaves
	 * unread holds of the application's memory until it reads it (the connection's own window does
	 * not cap them, {@code TunnelConnection}). 4 MiB measured 2-10 % more upload throughput on
	 * loopback, for four times that memory.
	 */
	static final int INITIAL_WINDOW_SIZE = 1024 * 1024;

	/**
	 * Streams the edge may open at once on one connection. Long polls and streams hold one
	 * each; past the limit the edge queues requests, so keep it well above what one
	 * connection is expected to carry (the control stream holds one too).
	 */
	static final long MAX_CONCURRENT_STREAMS = 16_384;

	/**
	 * Largest request header list the edge may send: above the edge's largest visitor header
	 * section ({@code edge.public.max-header-size}) plus the forwarding headers it adds, so that
	 * whatever the edge accepted from a visitor reaches the application.
	 */
	static final long MAX_HEADER_LIST_SIZE = 128 * 1024;

	private final HttpServerConfig config;

	private final ConnectionObserver observer;

	private final TunnelRecorder statistics;

	/**
	 * @param handler the application
	 * @param statistics what every served request is counted in, and its observers told about
	 */
	public TunnelServer(HttpHandler handler, TunnelRecorder statistics) {
		ReactorHttpHandlerAdapter adapter = new ReactorHttpHandlerAdapter(handler);
		this.statistics = statistics;
		this.config = HttpServer.create()
			.protocol(HttpProtocol.H2C)
			.forwarded(EdgeForwardedHeaders.INSTANCE)
			// ENABLE_CONNECT_PROTOCOL: the edge opens WebSockets as RFC 8441 extended CONNECT
			// streams, which Reactor Netty upgrades for Spring's own WebSocket support.
			// No cap on RST_STREAM frames either way (Netty's server default is 200 per 30 s): the peer
			// is the edge, authenticated by mutual TLS, whose resets stand for visitors who went away,
			// and the agent's own resets for requests the application failed. A cap would let any
			// visitor who cancels requests fast enough close the application's tunnel.
			.http2Settings((settings) -> settings.initialWindowSize(INITIAL_WINDOW_SIZE)
				.maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
				.connectProtocolEnabled(true)
				.maxHeaderListSize(MAX_HEADER_LIST_SIZE)
				.maxDecodedRstFramesPerWindow(0, 30)
				.maxEncodedRstFramesPerWindow(0, 30))
			.handle((request, response) -> isControlStream(request) ? serveControlStream(request, response)
					: observe(request, response, adapter))
			.configuration();
		this.observer = new StreamObserver(this.config.childObserver());
	}

	/**
	 * The handler that installs the HTTP/2 server pipeline; add it only once TLS negotiated
	 * {@code h2}, or the codec's first frames race the handshake.
	 */
	ChannelHandler initializer(Channel channel) {
		return this.config.channelInitializer(this.observer, channel.remoteAddress(), true);
	}

	/**
	 * Serves one request with the application and records how it ended: its status (or 500 for
	 * a handler that failed before answering, which Reactor Netty then sends), or a cancellation
	 * when the edge reset the stream before the response started. A response cancelled while
	 * it streamed counts with its status.
	 */
	private Mono<Void> observe(HttpServerRequest request, HttpServerResponse response,
			ReactorHttpHandlerAdapter adapter) {
		long start = System.nanoTime();
		this.statistics.requestStarted();
		return Mono.defer(() -> adapter.apply(request, response)).doFinally((signal) -> {
			Channel stream = (signal == SignalType.ON_COMPLETE && request.isWebsocket()) ? streamOf(request) : null;
			if (stream != null && stream.isActive()) {
				// The handshake only opened the WebSocket: it is in flight until its stream closes.
				TunnelWebSockets.opened(stream);
				stream.closeFuture().addListener((closed) -> ended(request, response, signal, start));
				return;
			}
			ended(request, response, signal, start);
		});
	}

	private void ended(HttpServerRequest request, HttpServerResponse response, SignalType signal, long start) {
		int status = response.hasSentHeaders() ? response.status().code() : -1;
		RequestOutcome outcome;
		if (signal == SignalType.CANCEL && status < 0) {
			outcome = RequestOutcome.CANCELLED;
		}
		else if (signal == SignalType.ON_ERROR && status < 0) {
			status = 500;
			outcome = RequestOutcome.SERVER_ERROR;
		}
		else {
			status = response.status().code();
			outcome = RequestOutcome.forStatus(status);
		}
		this.statistics.requestEnded(request.method().name(), status, outcome, System.nanoTime() - start);
	}

	private static @Nullable Channel streamOf(HttpServerRequest request) {
		Channel[] stream = new Channel[1];
		request.withConnection((connection) -> stream[0] = connection.channel());
		return stream[0];
	}

	private static boolean isControlStream(HttpServerRequest request) {
		return request.requestHeaders().contains(TunnelProtocol.CONTROL_HEADER)
				&& TunnelProtocol.CONTROL_PATH.equals(request.uri());
	}

	private static Mono<Void> serveControlStream(HttpServerRequest request, HttpServerResponse response) {
		Channel[] stream = new Channel[1];
		request.withConnection((connection) -> stream[0] = connection.channel());
		TunnelConnection connection = TunnelConnection.of(stream[0].parent());
		if (connection == null) {
			return response.status(404).send();
		}
		return connection.serveControlStream(request, response);
	}

	/**
	 * What Reactor Netty's own bind adds around the child observer: an uncaught error is logged
	 * and its stream disposed, so that no failure vanishes silently.
	 */
	private static final class StreamObserver implements ConnectionObserver {

		private final ConnectionObserver delegate;

		StreamObserver(ConnectionObserver delegate) {
			this.delegate = delegate;
		}

		@Override
		public void onUncaughtException(Connection connection, Throwable error) {
			if (error instanceof IOException) {
				logger.debug("Tunnel stream failed: {}", connection.channel(), error);
			}
			else {
				logger.error("Unhandled error on tunnel stream {}", connection.channel(), error);
			}
			connection.dispose();
		}

		@Override
		public void onStateChange(Connection connection, State newState) {
			if (newState == State.DISCONNECTING && connection.channel().isActive() && !connection.isPersistent()) {
				connection.dispose();
			}
			this.delegate.onStateChange(connection, newState);
		}

	}

}
