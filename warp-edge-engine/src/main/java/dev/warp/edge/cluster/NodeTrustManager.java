package dev.warp.edge.cluster;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

import org.jspecify.annotations.Nullable;

/**
 * Trusts edge nodes of this cluster only: a certificate must chain to the cluster's CA (the JDK's
 * PKIX checks: signature, validity, key usage, and the server's name where the client asks for
 * it) <em>and</em> be a node certificate, whose common name starts with
 * {@value PeerTls#NODE_NAME_PREFIX}. The CA may issue other certificates, for agents say, and
 * none of those opens the peer listener.
 */
final class NodeTrustManager extends X509ExtendedTrustManager {

	private final X509ExtendedTrustManager ca;

	private NodeTrustManager(X509ExtendedTrustManager ca) {
		this.ca = ca;
	}

	static NodeTrustManager trusting(X509Certificate caCertificate) {
		try {
			KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
			store.load(null, null);
			store.setCertificateEntry("warp-cluster-ca", caCertificate);
			TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
			factory.init(store);
			for (TrustManager manager : factory.getTrustManagers()) {
				if (manager instanceof X509ExtendedTrustManager extended) {
					return new NodeTrustManager(extended);
				}
			}
			throw new IllegalStateException("The JDK's PKIX trust manager factory made no X509ExtendedTrustManager");
		}
		catch (GeneralSecurityException | java.io.IOException ex) {
			throw new IllegalStateException("Cannot set up trust in the cluster's CA: " + ex.getMessage(), ex);
		}
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType, @Nullable Socket socket)
			throws CertificateException {
		this.ca.checkClientTrusted(chain, authType, socket);
		requireNode(chain);
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType, @Nullable Socket socket)
			throws CertificateException {
		this.ca.checkServerTrusted(chain, authType, socket);
		requireNode(chain);
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType, @Nullable SSLEngine engine)
			throws CertificateException {
		this.ca.checkClientTrusted(chain, authType, engine);
		requireNode(chain);
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType, @Nullable SSLEngine engine)
			throws CertificateException {
		this.ca.checkServerTrusted(chain, authType, engine);
		requireNode(chain);
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		this.ca.checkClientTrusted(chain, authType);
		requireNode(chain);
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		this.ca.checkServerTrusted(chain, authType);
		requireNode(chain);
	}

	@Override
	public X509Certificate[] getAcceptedIssuers() {
		return this.ca.getAcceptedIssuers();
	}

	private static void requireNode(X509Certificate[] chain) throws CertificateException {
		String commonName = commonName(chain[0].getSubjectX500Principal());
		if (commonName == null || !commonName.startsWith(PeerTls.NODE_NAME_PREFIX)
				|| commonName.length() == PeerTls.NODE_NAME_PREFIX.length()) {
			throw new CertificateException("'" + chain[0].getSubjectX500Principal().getName()
					+ "' is not an edge node certificate of this cluster");
		}
	}

	private static @Nullable String commonName(X500Principal subject) {
		try {
			for (Rdn rdn : new LdapName(subject.getName(X500Principal.RFC2253)).getRdns()) {
				if ("CN".equalsIgnoreCase(rdn.getType())) {
					return String.valueOf(rdn.getValue());
				}
			}
			return null;
		}
		catch (InvalidNameException ex) {
			return null;
		}
	}

}
