package dev.warp.agent;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.CertificateNames;
import org.jspecify.annotations.Nullable;

/**
 * The tunnel's client credentials: a private key and the origin certificate issued for it (the
 * leaf first, then the CA).
 */
public record OriginCredentials(PrivateKey privateKey, List<X509Certificate> chain) {

	public OriginCredentials {
		if (chain.isEmpty()) {
			throw new IllegalArgumentException("An origin certificate chain needs at least the certificate itself");
		}
		chain = List.copyOf(chain);
	}

	/** The origin certificate. */
	public X509Certificate certificate() {
		return this.chain.get(0);
	}

	public Instant notAfter() {
		return certificate().getNotAfter().toInstant();
	}

	/**
	 * When to renew: after two thirds of the certificate's life. Its life starts at issuance,
	 * which is {@link CertificateAuthority#CLOCK_SKEW} after its back-dated notBefore.
	 */
	public Instant renewAt() {
		Instant issued = certificate().getNotBefore().toInstant().plus(CertificateAuthority.CLOCK_SKEW);
		Instant notAfter = notAfter();
		if (!issued.isBefore(notAfter)) {
			issued = certificate().getNotBefore().toInstant();
		}
		return notAfter.minus(Duration.between(issued, notAfter).dividedBy(3));
	}

	/** The serial number, hexadecimal, as the edge's {@code cert revoke} takes it. */
	public String serial() {
		return certificate().getSerialNumber().toString(16);
	}

	/** Why these credentials cannot serve a hostname now, or {@code null} when they can. */
	public @Nullable String problemFor(String hostname, Instant now) {
		if (!CertificateNames.dnsNames(certificate()).contains(hostname)) {
			return "the certificate is for " + CertificateNames.dnsNames(certificate()) + ", not " + hostname;
		}
		if (!notAfter().isAfter(now)) {
			return "the certificate expired at " + notAfter();
		}
		return null;
	}

	/** Whether one of these CAs issued the certificate: if not, the edge will refuse it. */
	public boolean isIssuedBy(Collection<X509Certificate> trusted) {
		for (X509Certificate ca : trusted) {
			try {
				certificate().verify(ca.getPublicKey());
				return true;
			}
			catch (GeneralSecurityException ex) {
				// Try the next trusted CA.
			}
		}
		return false;
	}

}
