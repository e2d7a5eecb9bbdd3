package dev.warp.edge.pki;

import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.SSLException;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

/**
 * A certificate the TLS public listener can present, ready for handshakes: HTTP/2 and HTTP/1.1
 * by ALPN, HTTP/2's cipher suites (RFC 9113 9.2.2) among those the TLS provider has, OpenSSL
 * (BoringSSL) when it is on the class path, as Netty prefers.
 * @param names its subject alternative names
 * @param context its TLS server context, for Netty's TLS handlers
 */
public record ServedCertificate(List<String> names, SslContext context) {

	public ServedCertificate {
		names = List.copyOf(names);
	}

	/** A certificate chain (leaf first) and its private key, ready to present. */
	public static ServedCertificate of(PrivateKey privateKey, List<X509Certificate> chain) {
		try {
			SslContext context = SslContextBuilder.forServer(privateKey, chain)
				.sslProvider(SslProvider.isAlpnSupported(SslProvider.OPENSSL) ? SslProvider.OPENSSL : SslProvider.JDK)
				.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
				.applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
						SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
						ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
				.build();
			return new ServedCertificate(subjectAlternativeNames(chain.get(0)), context);
		}
		catch (SSLException ex) {
			throw new IllegalStateException("Cannot set up TLS for the public listener: " + ex.getMessage(), ex);
		}
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
