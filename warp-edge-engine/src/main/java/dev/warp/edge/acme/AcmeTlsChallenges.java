package dev.warp.edge.acme;

import java.io.IOException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLException;

import dev.warp.core.pki.PemFiles;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.jspecify.annotations.Nullable;

/**
 * The certificates that answer ACME TLS-ALPN-01 challenges (RFC 8737): while an order is
 * validated, a handshake that names the hostname and offers only ALPN {@code acme-tls/1} gets the
 * challenge's self-signed certificate, which carries the key authorization's digest. Read by
 * {@link AcmeClientHello} on the TLS listener. In a cluster, a certificate another node published
 * is found in the cluster's share, without blocking the event loop.
 */
public final class AcmeTlsChallenges {

	/** The ALPN protocol of a TLS-ALPN-01 validation. */
	public static final String ACME_TLS_1 = "acme-tls/1";

	private final Map<String, SslContext> contexts = new ConcurrentHashMap<>();

	private final CertificateShare share;

	private final Duration ttl;

	/**
	 * @param share where the other nodes of a cluster find the certificates
	 * @param ttl how long a shared certificate lasts at most
	 */
	AcmeTlsChallenges(CertificateShare share, Duration ttl) {
		this.share = share;
		this.ttl = ttl;
	}

	/** Publishes a hostname's challenge certificate (blocking: on the ACME executor). */
	void publish(String hostname, KeyPair keys, X509Certificate certificate) {
		this.contexts.put(key(hostname), context(keys.getPrivate(), certificate, hostname));
		this.share.publishChallenge(shareKey(hostname), PemFiles.toPem(keys.getPrivate(), certificate), this.ttl);
	}

	void withdraw(String hostname) {
		this.contexts.remove(key(hostname));
		this.share.withdrawChallenge(shareKey(hostname));
	}

	/**
	 * The challenge certificate's context for a hostname under validation, here or on another
	 * node of the cluster; {@code null} when none is.
	 */
	public Future<@Nullable SslContext> lookup(EventExecutor executor, @Nullable String hostname) {
		SslContext local = context(hostname);
		if (local != null || hostname == null) {
			return executor.newSucceededFuture(local);
		}
		Promise<@Nullable SslContext> promise = executor.newPromise();
		this.share.challenge(shareKey(hostname)).whenComplete((pem, ex) -> {
			try {
				PemBundle shared = (pem != null) ? PemBundle.parse(pem) : null;
				promise.trySuccess((shared != null && shared.privateKey() != null && !shared.certificates().isEmpty())
						? context(shared.privateKey(), shared.certificates().get(0), hostname) : null);
			}
			catch (IOException | RuntimeException failure) {
				promise.trySuccess(null);
			}
		});
		return promise;
	}

	private static SslContext context(PrivateKey key, X509Certificate certificate, String hostname) {
		try {
			return SslContextBuilder.forServer(key, certificate)
				.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
						ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
						ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ACME_TLS_1))
				.build();
		}
		catch (SSLException ex) {
			throw new IllegalStateException("Cannot present the TLS-ALPN-01 certificate of " + hostname, ex);
		}
	}

	/** The challenge certificate's context for a hostname under validation on this node, or {@code null}. */
	@Nullable SslContext context(@Nullable String hostname) {
		return (hostname != null) ? this.contexts.get(key(hostname)) : null;
	}

	private static String key(String hostname) {
		return hostname.toLowerCase(Locale.ROOT);
	}

	private static String shareKey(String hostname) {
		return "tls-alpn-01:" + key(hostname);
	}

}
