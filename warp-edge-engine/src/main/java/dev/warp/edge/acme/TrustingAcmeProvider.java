package dev.warp.edge.acme;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.warp.core.pki.PemFiles;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * Reaches an ACME server whose HTTPS certificate a private CA signed (a test CA such as pebble,
 * or a company's own ACME server): the connections trust that CA's certificates only.
 */
final class TrustingAcmeProvider extends GenericAcmeProvider {

	private final SSLContext ssl;

	TrustingAcmeProvider(Path trustedCaFile) {
		this.ssl = sslContext(PemFiles.readCertificates(trustedCaFile));
	}

	@Override
	public HttpClient createHttpClient(NetworkSettings settings) {
		return HttpClient.newBuilder()
			.connectTimeout(settings.getTimeout())
			.followRedirects(HttpClient.Redirect.NORMAL)
			.sslContext(this.ssl)
			.build();
	}

	private static SSLContext sslContext(List<X509Certificate> certificates) {
		try {
			KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
			store.load(null, null);
			for (int i = 0; i < certificates.size(); i++) {
				store.setCertificateEntry("ca-" + i, certificates.get(i));
			}
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(store);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, trust.getTrustManagers(), null);
			return context;
		}
		catch (GeneralSecurityException | java.io.IOException ex) {
			throw new IllegalStateException("Cannot trust the ACME server's CA: " + ex.getMessage(), ex);
		}
	}

}
