package dev.warp.edge.provisioning;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import dev.warp.core.pki.PemFiles;
import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.limit.ClientAddress;
import dev.warp.edge.log.RepeatedWarning;
import dev.warp.edge.metrics.EdgeMetrics;
import dev.warp.edge.pki.EdgeCredentials;
import dev.warp.edge.listener.OpenConnections;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * The provisioning API: HTTPS with the edge's certificate (no client certificate: the agent has
 * none yet, it proves itself with its account token). {@code POST} {@value #PATH} with
 * {@code Authorization: Bearer <token>} and a PEM CSR answers the issued certificate followed by
 * the CA certificate, PEM; or 400, 401, 403 with a one-line reason. A client address refused
 * {@link ProvisioningSettings#failedAttemptsPerMinute()} times within a minute is answered 429
 * with {@code Retry-After} until the minute is over, and its token is not even checked: tokens
 * cannot be guessed at any useful rate. {@code GET}
 * {@value #CA_PATH} answers the CA certificate to anyone.
 */
public final class ProvisioningListener {

	/** Where agents post their CSR. */
	public static final String PATH = "/v1/origin-certificates";

	/**
	 * Where anyone may fetch the edge's CA certificate, PEM: an agent with a connector token
	 * fetches it before it trusts anything, and accepts it only if it matches the token's pin.
	 */
	public static final String CA_PATH = "/v1/ca.pem";

	/** A CSR is well under a kilobyte; anything much larger is not one. */
	static final int MAX_BODY = 16 * 1024;

	private static final Logger logger = LoggerFactory.getLogger(ProvisioningListener.class);

	private final RepeatedWarning refusals = new RepeatedWarning(logger, "provisioning request(s) refused");

	private final RepeatedWarning tooManyFailures = new RepeatedWarning(logger,
			"provisioning request(s) answered 429, their address having failed too often");

	private final OriginCertificateIssuer issuer;

	private final X509Certificate ca;

	private final FailedAttempts failedAttempts;

	private final EdgeMetrics metrics;

	private @Nullable DisposableServer server;

	private final OpenConnections open = new OpenConnections("warp-provisioning");

	private ProvisioningListener(OriginCertificateIssuer issuer, X509Certificate ca, int failedAttemptsPerMinute,
			EdgeMetrics metrics) {
		this.issuer = issuer;
		this.ca = ca;
		this.failedAttempts = new FailedAttempts(failedAttemptsPerMinute);
		this.metrics = metrics;
	}

	/**
	 * Binds the provisioning API.
	 * @param bindAddress the address to listen on
	 * @param settings its port and the failed attempts an address may make
	 * @param credentials the edge's certificate, which the API presents
	 * @param issuer what issues certificates
	 * @param metrics where refusals are counted
	 * @param loops the event loops to run on
	 */
	public static ProvisioningListener bind(String bindAddress, ProvisioningSettings settings,
			EdgeCredentials credentials, OriginCertificateIssuer issuer, EdgeMetrics metrics, LoopResources loops) {
		SslContext tls;
		try {
			tls = SslContextBuilder.forServer(credentials.privateKey(), credentials.certificate(),
					credentials.authority().certificate())
				.protocols(TunnelProtocol.TLS_PROTOCOL)
				.build();
		}
		catch (SSLException ex) {
			throw new IllegalStateException("Cannot set up TLS for the provisioning listener: " + ex.getMessage(), ex);
		}
		ProvisioningListener listener = new ProvisioningListener(issuer, credentials.authority().certificate(),
				settings.failedAttemptsPerMinute(), metrics);
		listener.server = HttpServer.create()
			.host(bindAddress)
			.port(settings.port())
			.runOn(loops)
			.doOnChannelInit((observer, channel, address) -> listener.open.add(channel))
			.secure((spec) -> spec.sslContext(tls))
			.idleTimeout(Duration.ofSeconds(30))
			.route((routes) -> routes.post(PATH, listener::provision)
				.get(CA_PATH, (request, response) -> response.header(HttpHeaderNames.CONTENT_TYPE, "application/x-pem-file")
					.sendString(Mono.just(PemFiles.toPem(listener.ca)))
					.then()))
			.bindNow();
		return listener;
	}

	private Mono<Void> provision(HttpServerRequest request, HttpServerResponse response) {
		InetSocketAddress remote = request.remoteAddress();
		Object client = ClientAddress.of(remote);
		String clientText = (remote != null) ? remote.getHostString() : "a local client";
		long retryAfterNanos = this.failedAttempts.retryAfterNanos(client);
		if (retryAfterNanos > 0) {
			long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(retryAfterNanos + TimeUnit.SECONDS.toNanos(1) - 1));
			this.metrics.provisioningRefused("too-many-failures");
			this.tooManyFailures.occurred(clientText);
			// Answered once the request's body is read (and dropped), up to a CSR's bound: answered
			// before, the client that reused the connection raced the discarding of that body, and
			// its next request there could hang or fail (ProvisioningFailedAttemptsTests, 1 run in 3).
			// Past the bound, the read stops and the connection closes after the answer.
			return request.receive()
				.map(ByteBuf::readableBytes)
				.scan(0L, Long::sum)
				.takeUntil((read) -> read > MAX_BODY)
				.then(Mono.defer(() -> response.status(HttpResponseStatus.TOO_MANY_REQUESTS)
					.header(HttpHeaderNames.RETRY_AFTER, String.valueOf(seconds))
					.header(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
					.sendString(Mono.just("too many refused requests from " + clientText + "; retry in " + seconds
							+ " s with a valid token\n"))
					.then()));
		}
		// Counted before the token is checked, forgiven on success: parallel requests of one client
		// cannot all pass the check above before the first of them fails.
		this.failedAttempts.failed(client);
		return issue(request, response).doOnSuccess((done) -> this.failedAttempts.succeeded(client))
			.onErrorResume(ProvisioningRefusedException.class, (ex) -> {
				this.metrics.provisioningRefused(reason(ex.status()));
				this.refusals.occurred(clientText + ": " + ex.status() + " " + ex.getMessage());
				return refuse(response, HttpResponseStatus.valueOf(ex.status()), ex.getMessage());
			});
	}

	private Mono<Void> issue(HttpServerRequest request, HttpServerResponse response) {
		String length = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
		if (length != null && !length.chars().allMatch(Character::isDigit)) {
			return Mono.error(new ProvisioningRefusedException(400, "bad Content-Length"));
		}
		if (length != null && (length.length() > 9 || Long.parseLong(length) > MAX_BODY)) {
			return Mono.error(new ProvisioningRefusedException(413, "a CSR is at most " + MAX_BODY + " bytes"));
		}
		String bearer = bearer(request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION));
		// Read with a bound, chunked or not: a CSR is small, a body that is not must not fill the heap.
		return request.receive()
			.asString(StandardCharsets.US_ASCII)
			.reduce(new StringBuilder(), (text, chunk) -> {
				if (text.length() + chunk.length() > MAX_BODY) {
					throw new BodyTooLargeException();
				}
				return text.append(chunk);
			})
			.map(StringBuilder::toString)
			// Off the event loop: the token store may read its file, and signing takes a moment.
			.flatMap((csr) -> Mono.fromCallable(() -> this.issuer.issue(bearer, csr)).subscribeOn(Schedulers.boundedElastic()))
			.flatMap((certificate) -> response.header(HttpHeaderNames.CONTENT_TYPE, "application/pem-certificate-chain")
				.header(HttpHeaderNames.CACHE_CONTROL, "no-store")
				.sendString(Mono.just(PemFiles.toPem(certificate, this.ca)))
				.then())
			.onErrorMap(BodyTooLargeException.class,
					(ex) -> new ProvisioningRefusedException(413, "a CSR is at most " + MAX_BODY + " bytes"));
	}

	/** The {@code reason} tag of a refusal's status: a few fixed words. */
	private static String reason(int status) {
		return switch (status) {
			case 401 -> "token";
			case 403 -> "zone";
			default -> "request";
		};
	}

	private static final class BodyTooLargeException extends RuntimeException {

		BodyTooLargeException() {
			super(null, null, false, false);
		}

	}

	private static @Nullable String bearer(@Nullable String authorization) {
		if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return null;
		}
		return authorization.substring(7).trim();
	}

	private static Mono<Void> refuse(HttpServerResponse response, HttpResponseStatus status, String message) {
		return response.status(status)
			.header(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
			.sendString(Mono.just(message + "\n"))
			.then();
	}

	public InetSocketAddress address() {
		return (InetSocketAddress) server().address();
	}

	/** Stops the listener and closes its connections, waiting at most {@code timeout}. */
	public void close(Duration timeout) {
		this.open.close(timeout, server());
	}

	private DisposableServer server() {
		DisposableServer bound = this.server;
		if (bound == null) {
			throw new IllegalStateException("The provisioning listener is not bound");
		}
		return bound;
	}

}
