package dev.warp.edge.tunnel;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLPeerUnverifiedException;

import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;

/** The origin certificate an agent presented in the tunnel's TLS handshake. */
final class OriginCertificate {

	private OriginCertificate() {
	}

	/** The agent's leaf certificate, or {@code null} when there is none (cannot happen with client auth required). */
	static @Nullable X509Certificate of(@Nullable SslHandler tls) {
		if (tls == null) {
			return null;
		}
		try {
			Certificate[] chain = tls.engine().getSession().getPeerCertificates();
			return (chain.length > 0 && chain[0] instanceof X509Certificate leaf) ? leaf : null;
		}
		catch (SSLPeerUnverifiedException ex) {
			return null;
		}
	}

}
