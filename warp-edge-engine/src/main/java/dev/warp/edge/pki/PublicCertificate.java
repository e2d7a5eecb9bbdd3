package dev.warp.edge.pki;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.pki.PemFiles;
import dev.warp.edge.EdgeSettings.PublicTls;

/**
 * The certificate of the TLS public listener, which visitors see: issued by the edge's own CA
 * for the configured names at every start (kept in memory only, so a change of names needs no
 * cleanup), or the operator's own certificate and key read from PEM files.
 * @param privateKey the certificate's private key
 * @param chain the certificate first, then any intermediates
 */
public record PublicCertificate(PrivateKey privateKey, List<X509Certificate> chain) {

	static final Duration VALIDITY = Duration.ofDays(90);

	public PublicCertificate {
		chain = List.copyOf(chain);
		if (chain.isEmpty()) {
			throw new IllegalArgumentException("A certificate chain needs at least one certificate");
		}
	}

	/**
	 * The public listener's certificate as configured.
	 * @param tls the public TLS settings
	 * @param authority the edge's CA, which issues the certificate unless files are configured
	 * @param zones the zones of the account tokens: an issued certificate covers each zone and
	 * its subdomains ({@code example.test}, {@code *.example.test}) besides the configured names
	 * @throws IllegalStateException when configured files cannot be read
	 */
	public static PublicCertificate of(PublicTls tls, CertificateAuthority authority, Collection<String> zones) {
		if (tls.certificateFile() != null && tls.keyFile() != null) {
			try {
				return new PublicCertificate(PemFiles.readPrivateKey(tls.keyFile()),
						PemFiles.readCertificates(tls.certificateFile()));
			}
			catch (RuntimeException ex) {
				throw new IllegalStateException("Cannot read the public TLS certificate " + tls.certificateFile()
						+ " or its key " + tls.keyFile() + " (edge.public.tls.certificate-file, edge.public.tls.key-file): "
						+ ex.getMessage() + ". Give PEM files of a certificate chain and its private key, or unset both "
						+ "to have the edge issue one.", ex);
			}
		}
		Set<String> names = new LinkedHashSet<>(tls.certificateNames());
		for (String zone : zones) {
			names.add(zone);
			names.add("*." + zone);
		}
		return issue(authority, List.copyOf(names));
	}

	/** Issues a certificate for these names from the CA. */
	public static PublicCertificate issue(CertificateAuthority authority, List<String> names) {
		KeyPair keys = KeyPairs.generate();
		X509Certificate certificate = authority.issueServerCertificate(keys.getPublic(), names.get(0), names, VALIDITY);
		return new PublicCertificate(keys.getPrivate(), List.of(certificate));
	}

}
