package dev.warp.edge.cluster;

import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.pki.EdgeCredentials;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import reactor.netty.http.Http2SslContextSpec;

/**
 * The TLS of edge-to-edge connections: TLS 1.3, HTTP/2, and mutual authentication, where each
 * side presents a node certificate issued by the cluster's shared CA and accepts only node
 * certificates of that CA ({@link NodeTrustManager}). A node issues its two certificates (server
 * for its peer listener, client for its requests to other nodes) from the CA at every start and
 * keeps them in memory: every node of a cluster holds the CA's key anyway.
 */
public final class PeerTls {

	/** How the common name of a node certificate starts; the node id follows. */
	static final String NODE_NAME_PREFIX = "warp-node:";

	private static final Duration VALIDITY = Duration.ofDays(365);

	private final X509Certificate caCertificate;

	private final KeyPair serverKeys;

	private final X509Certificate serverCertificate;

	private final KeyPair clientKeys;

	private final X509Certificate clientCertificate;

	private PeerTls(X509Certificate caCertificate, KeyPair serverKeys, X509Certificate serverCertificate,
			KeyPair clientKeys, X509Certificate clientCertificate) {
		this.caCertificate = caCertificate;
		this.serverKeys = serverKeys;
		this.serverCertificate = serverCertificate;
		this.clientKeys = clientKeys;
		this.clientCertificate = clientCertificate;
	}

	/**
	 * Issues this node's certificates from the cluster's CA.
	 * @param credentials the edge's credentials, with the CA
	 * @param nodeId the node's id, in both certificates
	 * @param serverNames every name other nodes dial this node's peer listener by
	 */
	public static PeerTls issue(EdgeCredentials credentials, String nodeId, Collection<String> serverNames) {
		CertificateAuthority authority = credentials.authority();
		String commonName = NODE_NAME_PREFIX + nodeId;
		KeyPair serverKeys = KeyPairs.generate();
		X509Certificate server = authority.issueServerCertificate(serverKeys.getPublic(), commonName,
				List.copyOf(serverNames), VALIDITY);
		KeyPair clientKeys = KeyPairs.generate();
		X509Certificate client = authority.issueClientCertificate(clientKeys.getPublic(), commonName, List.of(),
				VALIDITY);
		return new PeerTls(authority.certificate(), serverKeys, server, clientKeys, client);
	}

	/**
	 * TLS of the peer listener: presents the node's server certificate, requires a node's client
	 * certificate, and speaks HTTP/2 only (ALPN {@code h2}).
	 */
	public Http2SslContextSpec server() {
		return Http2SslContextSpec.forServer(this.serverKeys.getPrivate(), this.serverCertificate, this.caCertificate)
			.configure((builder) -> builder.protocols(TunnelProtocol.TLS_PROTOCOL)
				.trustManager(NodeTrustManager.trusting(this.caCertificate))
				.clientAuth(ClientAuth.REQUIRE)
				.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
						ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
						ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2)));
	}

	/** TLS of this node's requests to other nodes: presents its client certificate, requires a node's server certificate. */
	public Http2SslContextSpec client() {
		return Http2SslContextSpec.forClient()
			.configure((builder) -> builder.protocols(TunnelProtocol.TLS_PROTOCOL)
				.keyManager(this.clientKeys.getPrivate(), this.clientCertificate, this.caCertificate)
				.trustManager(NodeTrustManager.trusting(this.caCertificate)));
	}

	/** SHA-256 of the CA certificate, hex: the same on every node of a cluster. */
	public String caFingerprint() {
		return fingerprint(this.caCertificate);
	}

	static String fingerprint(X509Certificate certificate) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
		}
		catch (NoSuchAlgorithmException | CertificateEncodingException ex) {
			throw new IllegalStateException("Cannot fingerprint the CA certificate: " + ex.getMessage(), ex);
		}
	}

}
