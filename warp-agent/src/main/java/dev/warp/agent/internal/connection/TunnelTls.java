package dev.warp.agent.internal.connection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLException;

import dev.warp.agent.InvalidCaCertificateException;
import dev.warp.agent.OriginCredentials;
import dev.warp.core.pki.PemFiles;
import dev.warp.core.protocol.TunnelProtocol;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * The agent's TLS: version 1.3 only, ALPN {@code h2}, trusting exactly the edge CA and nothing
 * else, with hostname verification of the edge's certificate; the agent proves its hostname with
 * its origin certificate.
 */
public final class TunnelTls {

	private TunnelTls() {
	}

	/**
	 * The CA certificate(s) in a PEM file.
	 * @throws InvalidCaCertificateException if the file is missing, unreadable or holds no certificate
	 */
	public static List<X509Certificate> trustedCertificates(Path caCertificate) {
		return readCa(caCertificate);
	}

	/**
	 * A client context trusting the given CA certificates and presenting the origin credentials
	 * as the client certificate.
	 */
	public static SslContext clientContext(List<X509Certificate> trusted, OriginCredentials credentials) {
		try {
			return SslContextBuilder.forClient()
				.sslProvider(provider(OpenSsl.isAvailable()))
				.protocols(TunnelProtocol.TLS_PROTOCOL)
				.trustManager(trusted)
				.keyManager(credentials.privateKey(), credentials.chain())
				.endpointIdentificationAlgorithm("HTTPS")
				.applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
						SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, TunnelProtocol.ALPN))
				.build();
		}
		catch (SSLException ex) {
			throw new IllegalStateException("Cannot create the tunnel's TLS context: " + ex.getMessage(), ex);
		}
	}

	/**
	 * BoringSSL when netty-tcnative is on the class path and loads on this platform, else the
	 * JDK's TLS: both speak TLS 1.3 with ALPN.
	 */
	static SslProvider provider(boolean openSslAvailable) {
		return openSslAvailable ? SslProvider.OPENSSL : SslProvider.JDK;
	}

	/** Which TLS implementation the tunnel uses, for the log. */
	public static String describeProvider() {
		return OpenSsl.isAvailable() ? "BoringSSL (" + OpenSsl.versionString() + ")"
				: "the JDK (netty-tcnative-boringssl-static is not on the class path or does not load here)";
	}

	private static List<X509Certificate> readCa(Path file) {
		if (!Files.isRegularFile(file)) {
			throw new InvalidCaCertificateException(file, "the file does not exist");
		}
		if (!Files.isReadable(file)) {
			throw new InvalidCaCertificateException(file, "the file is not readable by this process");
		}
		try {
			return PemFiles.readCertificates(file);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidCaCertificateException(file, ex.getMessage());
		}
	}

}
