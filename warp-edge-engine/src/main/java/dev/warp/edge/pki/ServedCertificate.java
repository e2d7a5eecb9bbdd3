package dev.warp.edge.pki;

import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

import io.netty.handler.ssl.SslContext;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.tcp.SslProvider;

/**
 * A certificate the TLS public listener can present, ready for handshakes: HTTP/2 and HTTP/1.1
 * by ALPN, as Netty's {@link SslContext} and as Reactor Netty's {@link SslProvider}.
 * @param names its subject alternative names
 * @param spec how its context was made, for a listener's default
 * @param provider its context, for Reactor Netty's SNI mappings
 */
public record ServedCertificate(List<String> names, Http2SslContextSpec spec, SslProvider provider) {

	public ServedCertificate {
		names = List.copyOf(names);
	}

	/** A certificate chain (leaf first) and its private key, ready to present. */
	public static ServedCertificate of(PrivateKey privateKey, List<X509Certificate> chain) {
		Http2SslContextSpec spec = Http2SslContextSpec.forServer(privateKey, chain);
		return new ServedCertificate(subjectAlternativeNames(chain.get(0)), spec, SslProvider.builder().sslContext(spec).build());
	}

	/** The context for Netty's TLS handlers. */
	public SslContext context() {
		return this.provider.getSslContext();
	}

	private static List<String> subjectAlternativeNames(X509Certificate certificate) {
		try {
			Collection<List<?>> names = certificate.getSubjectAlternativeNames();
			return (names != null) ? names.stream().map((entry) -> String.valueOf(entry.get(1))).toList() : List.of();
		}
		catch (CertificateParsingException ex) {
			return List.of();
		}
	}

}
