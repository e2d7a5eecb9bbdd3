package dev.warp.agent.connection;

import java.security.cert.X509Certificate;
import java.util.List;

import dev.warp.agent.credentials.OriginCredentials;
import io.netty.handler.ssl.SslContext;
import org.jspecify.annotations.Nullable;

/**
 * The TLS context new tunnel connections use; replaced when the origin certificate is renewed,
 * so that connections opened after a renewal present the new certificate.
 */
public final class OriginTls {

	private final List<X509Certificate> trusted;

	private volatile @Nullable SslContext current;

	public OriginTls(List<X509Certificate> trusted) {
		this.trusted = List.copyOf(trusted);
	}

	/** Uses new credentials from now on. */
	public void update(OriginCredentials credentials) {
		this.current = TunnelTls.clientContext(this.trusted, credentials);
	}

	/** The edge CA certificates trusted. */
	public List<X509Certificate> trusted() {
		return this.trusted;
	}

	/**
	 * The context for a new connection.
	 * @throws IllegalStateException before the first credentials
	 */
	public SslContext sslContext() {
		SslContext context = this.current;
		if (context == null) {
			throw new IllegalStateException("The tunnel has no origin certificate yet");
		}
		return context;
	}

}
