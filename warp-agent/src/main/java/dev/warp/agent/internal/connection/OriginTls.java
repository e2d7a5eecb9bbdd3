package dev.warp.agent.internal.connection;

import dev.warp.agent.OriginCredentials;
import dev.warp.agent.internal.credentials.EdgeTrust;
import io.netty.handler.ssl.SslContext;
import org.jspecify.annotations.Nullable;

/**
 * The TLS context new tunnel connections use; replaced when the origin certificate is renewed,
 * so that connections opened after a renewal present the new certificate.
 */
public final class OriginTls {

	private final EdgeTrust trust;

	private volatile @Nullable SslContext current;

	public OriginTls(EdgeTrust trust) {
		this.trust = trust;
	}

	/** Uses new credentials from now on; the edge CA is known by then. */
	public void update(OriginCredentials credentials) {
		this.current = TunnelTls.clientContext(this.trust.certificates(), credentials);
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
