package dev.warp.edge.acme;

import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.jspecify.annotations.Nullable;

/**
 * What one PEM text holds of what ACME keeps: a private key, a public key, certificates, in the
 * forms {@code PemFiles.toPem} writes them (the account key file, a certificate's file, the
 * value shared in Redis).
 */
record PemBundle(@Nullable PrivateKey privateKey, @Nullable PublicKey publicKey, List<X509Certificate> certificates) {

	static PemBundle parse(String pem) throws IOException {
		PrivateKey privateKey = null;
		PublicKey publicKey = null;
		List<X509Certificate> certificates = new ArrayList<>();
		try (PEMParser parser = new PEMParser(new StringReader(pem))) {
			JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
			JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
			for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
				if (object instanceof PrivateKeyInfo info) {
					privateKey = keys.getPrivateKey(info);
				}
				else if (object instanceof SubjectPublicKeyInfo info) {
					publicKey = keys.getPublicKey(info);
				}
				else if (object instanceof X509CertificateHolder holder) {
					certificates.add(converter.getCertificate(holder));
				}
			}
		}
		catch (CertificateException ex) {
			throw new IOException(ex.getMessage(), ex);
		}
		return new PemBundle(privateKey, publicKey, List.copyOf(certificates));
	}

	/** The certificate of a hostname that the text holds with its key. */
	IssuedCertificate certificate(String hostname) throws IOException {
		if (this.privateKey == null || this.certificates.isEmpty()) {
			throw new IOException("no private key and certificate in it");
		}
		return new IssuedCertificate(hostname, this.privateKey, this.certificates);
	}

}
