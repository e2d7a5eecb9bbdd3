package dev.warp.edge.acme;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.jspecify.annotations.Nullable;

/**
 * The certificates that answer ACME TLS-ALPN-01 challenges (RFC 8737): while an order is
 * validated, a handshake that names the hostname and offers only ALPN {@code acme-tls/1} gets the
 * challenge's self-signed certificate, which carries the key authorization's digest. Read by
 * {@link AcmeClientHello} on the TLS listener.
 */
public final class AcmeTlsChallenges {

	/** The ALPN protocol of a TLS-ALPN-01 validation. */
	public static final String ACME_TLS_1 = "acme-tls/1";

	private final Map<String, SslContext> contexts = new ConcurrentHashMap<>();

	void publish(String hostname, KeyPair keys, X509Certificate certificate) {
		try {
			SslContext context = SslContextBuilder.forServer(keys.getPrivate(), certificate)
				.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
						ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
						ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ACME_TLS_1))
				.build();
			this.contexts.put(key(hostname), context);
		}
		catch (SSLException ex) {
			throw new IllegalStateException("Cannot present the TLS-ALPN-01 certificate of " + hostname, ex);
		}
	}

	void withdraw(String hostname) {
		this.contexts.remove(key(hostname));
	}

	/** The challenge certificate's context for a hostname under validation, or {@code null}. */
	public @Nullable SslContext context(@Nullable String hostname) {
		return (hostname != null) ? this.contexts.get(key(hostname)) : null;
	}

	private static String key(String hostname) {
		return hostname.toLowerCase(Locale.ROOT);
	}

}
