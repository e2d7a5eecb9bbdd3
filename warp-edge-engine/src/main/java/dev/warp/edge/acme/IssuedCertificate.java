package dev.warp.edge.acme;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.warp.core.pki.PemFiles;

/**
 * A certificate the ACME CA issued for one hostname, with its private key.
 * @param hostname the name it was ordered for
 * @param privateKey its private key
 * @param chain the certificate first, then the intermediates
 */
record IssuedCertificate(String hostname, PrivateKey privateKey, List<X509Certificate> chain) {

	IssuedCertificate {
		chain = List.copyOf(chain);
	}

	Instant notBefore() {
		return this.chain.get(0).getNotBefore().toInstant();
	}

	Instant notAfter() {
		return this.chain.get(0).getNotAfter().toInstant();
	}

	/** When it is renewed: with a third of its lifetime left, as Let's Encrypt advises. */
	Instant renewAt() {
		Duration lifetime = Duration.between(notBefore(), notAfter());
		return notAfter().minus(lifetime.dividedBy(3));
	}

	/** Its private key, then its chain, as PEM text. */
	String toPem() {
		List<Object> objects = new ArrayList<>();
		objects.add(this.privateKey);
		objects.addAll(this.chain);
		return PemFiles.toPem(objects.toArray());
	}

	/** Whether it is still valid at {@code now}. */
	boolean validAt(Instant now) {
		return now.isBefore(notAfter());
	}

}
