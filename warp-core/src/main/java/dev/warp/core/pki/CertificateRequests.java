package dev.warp.core.pki;

import java.io.IOException;
import java.io.StringReader;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.Locale;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * PKCS#10 certificate signing requests: an origin makes one for its hostname, the edge checks it
 * (signature, key type, name) before its CA issues the certificate.
 */
public final class CertificateRequests {

	private CertificateRequests() {
	}

	/**
	 * A CSR for a hostname, signed with the key pair's private key, as PEM: the hostname is the
	 * subject's common name and the only DNS name asked for.
	 */
	public static String create(KeyPair keys, String hostname) {
		try {
			X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostname).build();
			ExtensionsGenerator extensions = new ExtensionsGenerator();
			extensions.addExtension(Extension.subjectAlternativeName, false,
					new GeneralNames(new GeneralName(GeneralName.dNSName, hostname)));
			PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
				.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
				.build(new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(keys.getPrivate()));
			return PemFiles.toPem(request);
		}
		catch (IOException | OperatorCreationException ex) {
			throw new IllegalStateException("Cannot create a certificate signing request for " + hostname, ex);
		}
	}

	/**
	 * Reads and checks a CSR: PEM, a valid self-signature, an EC P-256 key, and a common name.
	 * @throws InvalidRequestException saying what is wrong
	 */
	public static Verified verify(String pem) {
		PKCS10CertificationRequest request;
		try (PEMParser parser = new PEMParser(new StringReader(pem))) {
			Object object = parser.readObject();
			if (!(object instanceof PKCS10CertificationRequest csr)) {
				throw new InvalidRequestException("the body is not a PEM certificate signing request (CERTIFICATE REQUEST)");
			}
			request = csr;
		}
		catch (IOException | RuntimeException ex) {
			if (ex instanceof InvalidRequestException invalid) {
				throw invalid;
			}
			throw new InvalidRequestException("the certificate signing request cannot be parsed: " + ex.getMessage());
		}
		try {
			JcaPKCS10CertificationRequest jca = new JcaPKCS10CertificationRequest(request);
			PublicKey key = jca.getPublicKey();
			if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
				throw new InvalidRequestException("the key is " + key.getAlgorithm() + ", only EC P-256 keys are accepted");
			}
			if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
				throw new InvalidRequestException("the signature of the certificate signing request is not valid");
			}
			RDN[] commonNames = request.getSubject().getRDNs(BCStyle.CN);
			if (commonNames.length != 1) {
				throw new InvalidRequestException("the subject must hold exactly one common name (the hostname)");
			}
			String hostname = IETFUtils.valueToString(commonNames[0].getFirst().getValue()).toLowerCase(Locale.ROOT);
			return new Verified(hostname, key);
		}
		catch (OperatorCreationException | PKCSException | java.security.GeneralSecurityException ex) {
			throw new InvalidRequestException("the certificate signing request cannot be verified: " + ex.getMessage());
		}
	}

	/** A CSR whose signature checked out: the hostname it asks for and its key. */
	public record Verified(String hostname, PublicKey publicKey) {
	}

	/** A CSR that cannot be accepted; the message says why. */
	public static final class InvalidRequestException extends IllegalArgumentException {

		public InvalidRequestException(String message) {
			super(message);
		}

	}

}
