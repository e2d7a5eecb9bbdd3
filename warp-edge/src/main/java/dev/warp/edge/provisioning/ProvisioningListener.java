package dev.warp.edge.provisioning;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.SSLException;

import dev.warp.core.pki.PemFiles;
import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.pki.EdgeCredentials;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.jspecify.annotations.Nullable;
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
 * the CA certificate, PEM; or 400, 401, 403 with a one-line reason.
 */
public final class ProvisioningListener {

	/** Where agents post their CSR. */
	public static final String PATH = "/v1/origin-certificates";

	/** A CSR is well under a kilobyte; anything much larger is not one. */
	static final int MAX_BODY = 16 * 1024;

	private final DisposableServer server;

	private ProvisioningListener(DisposableServer server) {
		this.server = server;
	}

	public static ProvisioningListener bind(String bindAddress, int port, EdgeCredentials credentials,
			OriginCertificateIssuer issuer, LoopResources loops) {
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
		X509Certificate ca = credentials.authority().certificate();
		DisposableServer server = HttpServer.create()
			.host(bindAddress)
			.port(port)
			.runOn(loops)
			.secure((spec) -> spec.sslContext(tls))
			.idleTimeout(Duration.ofSeconds(30))
			.route((routes) -> routes.post(PATH, (request, response) -> provision(request, response, issuer, ca)))
			.bindNow();
		return new ProvisioningListener(server);
	}

	private static Mono<Void> provision(HttpServerRequest request, HttpServerResponse response,
			OriginCertificateIssuer issuer, X509Certificate ca) {
		String length = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
		if (length != null && !length.chars().allMatch(Character::isDigit)) {
			return refuse(response, HttpResponseStatus.BAD_REQUEST, "bad Content-Length");
		}
		if (length != null && (length.length() > 9 || Long.parseLong(length) > MAX_BODY)) {
			return refuse(response, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "a CSR is at most " + MAX_BODY + " bytes");
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
			.flatMap((csr) -> Mono.fromCallable(() -> issuer.issue(bearer, csr)).subscribeOn(Schedulers.boundedElastic()))
			.flatMap((certificate) -> response.header(HttpHeaderNames.CONTENT_TYPE, "application/pem-certificate-chain")
				.header(HttpHeaderNames.CACHE_CONTROL, "no-store")
				.sendString(Mono.just(PemFiles.toPem(certificate, ca)))
				.then())
			.onErrorResume(ProvisioningRefusedException.class,
					(ex) -> refuse(response, HttpResponseStatus.valueOf(ex.status()), ex.getMessage()))
			.onErrorResume(BodyTooLargeException.class, (ex) -> refuse(response,
					HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "a CSR is at most " + MAX_BODY + " bytes"));
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
		return (InetSocketAddress) this.server.address();
	}

	public void close(Duration timeout) {
		this.server.disposeNow(timeout);
	}

}
