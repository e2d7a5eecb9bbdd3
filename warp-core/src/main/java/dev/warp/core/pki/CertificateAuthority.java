package dev.warp.core.pki;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/**
 * The edge's certificate authority: a self-signed root whose certificate agents trust, and which
 * issues the edge's own TLS certificates (and, later, origin certificates). It lives in a
 * directory as {@value #CERTIFICATE_FILE} and {@value #KEY_FILE}; created once, then reused, so
 * that agents keep trusting the edge across restarts.
 */
public final class CertificateAuthority {

	/** The CA certificate that agents trust. */
	public static final String CERTIFICATE_FILE = "ca.pem";

	/** The CA's private key, owner-only. */
	public static final String KEY_FILE = "ca-key.pem";

	private static final Duration CA_VALIDITY = Duration.ofDays(3650);

	/**
	 * Back-dating of notBefore, so that peers with a slightly slow clock accept new certificates. A
	 * certificate was issued this long after its notBefore.
	 */
	public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

	private final X509Certificate certificate;

	private final PrivateKey privateKey;

	private final Clock clock;

	private final SecureRandom random = new SecureRandom();

	public CertificateAuthority(X509Certificate certificate, PrivateKey privateKey, Clock clock) {
		this.certificate = certificate;
		this.privateKey = privateKey;
		this.clock = clock;
	}

	/**
	 * Loads the CA kept in a directory, or creates one there on first use.
	 * @param directory where {@value #CERTIFICATE_FILE} and {@value #KEY_FILE} live
	 * @param name the CA's common name when one is created
	 */
	public static CertificateAuthority loadOrCreate(Path directory, String name) {
		Path certificateFile = directory.resolve(CERTIFICATE_FILE);
		Path keyFile = directory.resolve(KEY_FILE);
		if (Files.exists(certificateFile) || Files.exists(keyFile)) {
			if (!Files.exists(certificateFile) || !Files.exists(keyFile)) {
				throw new IllegalStateException("The CA in " + directory + " is incomplete: both " + CERTIFICATE_FILE + " and "
						+ KEY_FILE + " must exist. Restore the missing file, or remove both to create a new CA "
						+ "(every agent must then trust the new " + CERTIFICATE_FILE + ").");
			}
			return new CertificateAuthority(PemFiles.readCertificates(certificateFile).get(0), PemFiles.readPrivateKey(keyFile),
					Clock.systemUTC());
		}
		CertificateAuthority ca = create(name, Clock.systemUTC());
		PemFiles.writePrivateKey(keyFile, ca.privateKey);
		PemFiles.writeCertificates(certificateFile, ca.certificate);
		return ca;
	}

	/** A new CA held in memory only. */
	public static CertificateAuthority create(String name, Clock clock) {
		KeyPair keys = KeyPairs.generate();
		X500Name subject = name(name);
		Instant now = clock.instant();
		try {
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(new SecureRandom()),
					Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(CA_VALIDITY)), subject, keys.getPublic())
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
				.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
			return new CertificateAuthority(sign(builder, keys.getPrivate()), keys.getPrivate(), clock);
		}
		catch (GeneralSecurityException | CertIOException ex) {
			throw new IllegalStateException("Cannot create a CA certificate", ex);
		}
	}

	public X509Certificate certificate() {
		return this.certificate;
	}

	/**
	 * Issues a TLS server certificate.
	 * @param publicKey the subject's key
	 * @param commonName the subject's common name
	 * @param names DNS names and IP addresses the certificate is valid for (each becomes a SAN)
	 * @param validity how long from now it is valid
	 */
	public X509Certificate issueServerCertificate(PublicKey publicKey, String commonName, Collection<String> names,
			Duration validity) {
		return issue(publicKey, commonName, names, validity, KeyPurposeId.id_kp_serverAuth);
	}

	/** Issues a TLS client certificate, e.g. for an origin that proves its hostname. */
	public X509Certificate issueClientCertificate(PublicKey publicKey, String commonName, Collection<String> names,
			Duration validity) {
		return issueClientCertificate(publicKey, commonName, names, validity, null);
	}

	/**
	 * Issues a TLS client certificate whose subject also names an organizational unit (OU): who,
	 * among the CA's subjects, it was issued to.
	 */
	public X509Certificate issueClientCertificate(PublicKey publicKey, String commonName, Collection<String> names,
			Duration validity, @Nullable String organizationalUnit) {
		return issue(publicKey, name(commonName, organizationalUnit), names, validity, KeyPurposeId.id_kp_clientAuth);
	}

	/** The organizational unit (OU) in a certificate's subject, or {@code null} when it names none. */
	public static @Nullable String organizationalUnit(X509Certificate certificate) {
		RDN[] units = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.OU);
		return (units.length > 0) ? IETFUtils.valueToString(units[0].getFirst().getValue()) : null;
	}

	private X509Certificate issue(PublicKey publicKey, String commonName, Collection<String> names, Duration validity,
			KeyPurposeId purpose) {
		return issue(publicKey, name(commonName, null), names, validity, purpose);
	}

	private X509Certificate issue(PublicKey publicKey, X500Name subject, Collection<String> names, Duration validity,
			KeyPurposeId purpose) {
		Instant now = this.clock.instant();
		try {
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(this.certificate, serial(this.random),
					Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)), subject, publicKey)
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
				.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
				.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(this.certificate))
				.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey));
			if (!names.isEmpty()) {
				builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(names));
			}
			return sign(builder, this.privateKey);
		}
		catch (GeneralSecurityException | CertIOException ex) {
			throw new IllegalStateException("Cannot issue a certificate for " + subject, ex);
		}
	}

	private static GeneralNames subjectAlternativeNames(Collection<String> names) {
		List<GeneralName> generalNames = new ArrayList<>();
		for (String name : names) {
			generalNames.add(isIpAddress(name) ? new GeneralName(GeneralName.iPAddress, name)
					: new GeneralName(GeneralName.dNSName, name));
		}
		return new GeneralNames(generalNames.toArray(GeneralName[]::new));
	}

	static boolean isIpAddress(String name) {
		if (name.contains(":")) {
			return true;
		}
		if (!name.matches("[0-9.]+")) {
			return false;
		}
		try {
			InetAddress.getByName(name);
			return true;
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws GeneralSecurityException {
		try {
			return new JcaX509CertificateConverter()
				.getCertificate(builder.build(new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(key)));
		}
		catch (OperatorCreationException ex) {
			throw new GeneralSecurityException(ex);
		}
	}

	private static X500Name name(String commonName) {
		return name(commonName, null);
	}

	private static X500Name name(String commonName, @Nullable String organizationalUnit) {
		X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName);
		if (organizationalUnit != null) {
			name.addRDN(BCStyle.OU, organizationalUnit);
		}
		return name.addRDN(BCStyle.O, "Warp").build();
	}

	private static BigInteger serial(SecureRandom random) {
		return new BigInteger(127, random).add(BigInteger.ONE);
	}

}
