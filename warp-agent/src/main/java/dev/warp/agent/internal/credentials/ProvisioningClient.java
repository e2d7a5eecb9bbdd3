package dev.warp.agent.internal.credentials;

import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.SSLException;

import dev.warp.agent.OriginCredentials;
import dev.warp.agent.ProvisioningException;
import dev.warp.agent.ProvisioningException.Reason;
import dev.warp.core.pki.CertificateRequests;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.pki.PemFiles;
import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.core.token.CaPin;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Asks the edge's provisioning API for an origin certificate: makes a new key pair and a CSR for
 * the hostname, and posts the CSR over TLS (trusting the edge CA only, with hostname
 * verification) with the account token as a bearer token. The private key never leaves the agent.
 */
public final class ProvisioningClient {

	/** Where the edge takes CSRs. */
	public static final String PATH = "/v1/origin-certificates";

	private final URI url;

	private static final String UNTRUSTED = "presents a certificate that is not signed by the trusted edge CA "
			+ "(warp.edge.ca-certificate, or the CA a connector token pins): set warp.edge.ca-certificate to the ca.pem of "
			+ "that edge";

	/** Where the edge serves its CA certificate to anyone. */
	public static final String CA_PATH = "/v1/ca.pem";

	private final HttpClient client;

	private final EdgeTrust trust;

	private final Duration timeout;

	/**
	 * @param url the provisioning API's base URL, {@code https://host:port}
	 * @param trust the edge CA certificates, known or pinned
	 * @param timeout bound on connecting and on the whole exchange
	 * @param loops the event loops to run on
	 */
	public ProvisioningClient(URI url, EdgeTrust trust, Duration timeout, LoopResources loops) {
		this.url = url;
		this.trust = trust;
		this.timeout = timeout;
		this.client = HttpClient.create(ConnectionProvider.newConnection())
			.runOn(loops)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
			.responseTimeout(timeout);
	}

	/**
	 * Fetches the edge's CA certificate and trusts it if it matches the pin.
	 * @return completes once the CA is trusted; fails with a {@link ProvisioningException} saying why not
	 */
	public Mono<Void> fetchCa(String hostname) {
		CaPin pin = Objects.requireNonNull(this.trust.pin(), "a pinned trust");
		return servedCa(hostname).doOnNext((served) -> {
			if (!this.trust.learn(served)) {
				throw new ProvisioningException(Reason.CA_PIN_MISMATCH, this.url, hostname,
						"the CA certificate the edge at " + this.url + " serves (" + served.get(0).getSubjectX500Principal()
								+ ", " + CaPin.of(served.get(0)) + ") does not match the token's pin " + pin
								+ ": the token was created by another edge, or something else answers at " + this.url);
			}
		}).then();
	}

	/**
	 * The CA certificate(s) the edge serves to anyone. The TLS of this request trusts any
	 * certificate: what it brings is checked by the caller, and it carries no secret.
	 */
	private Mono<List<X509Certificate>> servedCa(String hostname) {
		URI endpoint = this.url.resolve(CA_PATH);
		SslContext anyCertificate = tls(InsecureTrustManagerFactory.INSTANCE, null);
		return this.client.secure((spec) -> spec.sslContext(anyCertificate))
			.get()
			.uri(endpoint)
			.responseSingle((response, body) -> body.asString().defaultIfEmpty("").map((text) -> {
				int status = response.status().code();
				if (status != 200) {
					throw new ProvisioningException((status >= 500) ? Reason.EDGE_UNREACHABLE : Reason.REQUEST_REJECTED,
							this.url, hostname, "the edge at " + this.url + " does not serve its CA certificate (" + endpoint
									+ " answered " + status + "): an edge older than connector tokens, or no Warp edge; "
									+ "set warp.edge.ca-certificate to its ca.pem");
				}
				List<X509Certificate> certificates = PemFiles.parseCertificates(text);
				if (certificates.isEmpty()) {
					throw new ProvisioningException(Reason.REQUEST_REJECTED, this.url, hostname, "the edge at " + this.url
							+ " answered " + endpoint + " with no certificate: no Warp edge, or a broken one; set "
							+ "warp.edge.ca-certificate to its ca.pem");
				}
				return certificates;
			}))
			.timeout(this.timeout.multipliedBy(2))
			.onErrorMap((error) -> !(error instanceof ProvisioningException),
					(error) -> new ProvisioningException(Reason.EDGE_UNREACHABLE, this.url, hostname,
							"the edge's CA certificate cannot be fetched from " + endpoint + ": " + describe(error), error));
	}

	/**
	 * Fails when the edge serves another CA than the trusted one: a request with the token would
	 * fail its TLS handshake, which Reactor Netty logs with a stack trace at every retry. Passes
	 * when the edge serves no CA (an older edge) or cannot be asked: the request then says why.
	 */
	private Mono<Void> checkServedCa(String hostname) {
		return servedCa(hostname).onErrorResume((error) -> Mono.empty()).flatMap((served) -> {
			X509Certificate ca = served.get(0);
			// Any of them: during a change of CA an edge may serve the new one beside the old.
			boolean trusted = served.stream()
				.anyMatch((offered) -> this.trust.certificates()
					.stream()
					.anyMatch((known) -> known.getPublicKey().equals(offered.getPublicKey())));
			return trusted ? Mono.<Void>empty() : Mono.error(new ProvisioningException(Reason.EDGE_UNREACHABLE, this.url,
					hostname, "the provisioning API at " + this.url + " " + UNTRUSTED + "; that edge's CA is "
							+ ca.getSubjectX500Principal() + " (" + CaPin.of(ca) + ")"));
		}).then();
	}

	private static SslContext tls(javax.net.ssl.TrustManagerFactory trustAny, @Nullable List<X509Certificate> trusted) {
		try {
			SslContextBuilder builder = SslContextBuilder.forClient().protocols(TunnelProtocol.TLS_PROTOCOL);
			if (trusted != null) {
				builder.trustManager(trusted).endpointIdentificationAlgorithm("HTTPS");
			}
			else {
				builder.trustManager(trustAny);
			}
			return builder.build();
		}
		catch (SSLException ex) {
			throw new IllegalStateException("Cannot create the provisioning client's TLS context: " + ex.getMessage(), ex);
		}
	}

	public URI url() {
		return this.url;
	}

	/**
	 * Obtains new credentials for a hostname.
	 * @param token the account token; sent, never logged
	 * @return the credentials, or an error {@link ProvisioningException} saying why not
	 */
	public Mono<OriginCredentials> provision(String hostname, String token) {
		return Mono.defer(() -> {
			KeyPair keys = KeyPairs.generate();
			String csr = CertificateRequests.create(keys, hostname);
			URI endpoint = this.url.resolve(PATH);
			SslContext tls = tls(null, this.trust.certificates());
			return checkServedCa(hostname).then(this.client.secure((spec) -> spec.sslContext(tls))
				.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token)
				.set(HttpHeaderNames.CONTENT_TYPE, "application/pkcs10"))
				.post()
				.uri(endpoint)
				.send(ByteBufFlux.fromString(Mono.just(csr)))
				.responseSingle((response, body) -> body.asString().defaultIfEmpty("").map((text) -> {
					int status = response.status().code();
					if (status == 200) {
						return credentials(keys, text, hostname);
					}
					throw refusal(status, text.trim(), hostname);
				}))
				.timeout(this.timeout.multipliedBy(2))
				.onErrorMap((error) -> !(error instanceof ProvisioningException),
						(error) -> new ProvisioningException(Reason.EDGE_UNREACHABLE, this.url, hostname,
								"the provisioning API at " + this.url + " " + failure(error), error)));
		});
	}

	private OriginCredentials credentials(KeyPair keys, String pem, String hostname) {
		try {
			List<X509Certificate> chain = PemFiles.parseCertificates(pem);
			if (!chain.get(0).getPublicKey().equals(keys.getPublic())) {
				throw new IllegalArgumentException("the certificate is not for the key the agent sent");
			}
			return new OriginCredentials(keys.getPrivate(), chain);
		}
		catch (IllegalArgumentException ex) {
			throw new ProvisioningException(Reason.REQUEST_REJECTED, this.url, hostname,
					"the provisioning API at " + this.url + " answered something other than a certificate: " + ex.getMessage());
		}
	}

	private ProvisioningException refusal(int status, String message, String hostname) {
		Reason reason = switch (status) {
			case 401 -> Reason.TOKEN_REJECTED;
			case 403 -> Reason.HOSTNAME_NOT_ALLOWED;
			default -> (status >= 500) ? Reason.EDGE_UNREACHABLE : Reason.REQUEST_REJECTED;
		};
		return new ProvisioningException(reason, this.url, hostname,
				"the edge's provisioning API at " + this.url + " answered " + status + ": " + message);
	}

	/** Why the provisioning API failed: it cannot be reached, or is not the edge the agent trusts. */
	private static String failure(Throwable error) {
		for (Throwable current = error; current != null; current = current.getCause()) {
			if (current instanceof java.security.cert.CertPathBuilderException
					|| String.valueOf(current.getMessage()).contains("certification path")
					|| String.valueOf(current.getMessage()).contains("signature check failed")) {
				return UNTRUSTED;
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return "cannot be reached: " + describe(error);
	}

	private static String describe(Throwable error) {
		Throwable cause = error;
		while (cause.getCause() != null && cause.getMessage() == null) {
			cause = cause.getCause();
		}
		return cause.getClass().getSimpleName() + ((cause.getMessage() != null) ? " " + cause.getMessage() : "");
	}

}
