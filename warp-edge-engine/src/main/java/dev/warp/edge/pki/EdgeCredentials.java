package dev.warp.edge.pki;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.pki.PemFiles;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's credentials, kept in its data directory: the CA that agents trust
 * ({@value CertificateAuthority#CERTIFICATE_FILE}) and the tunnel TLS certificate issued by it
 * ({@value #CERTIFICATE_FILE}, {@value #KEY_FILE}). The certificate is reused across restarts and
 * issued again only when it is missing, unusable, about to expire or lacks a configured name, so
 * agents that trust the CA never notice.
 */
public final class EdgeCredentials {

	/** The CA's common name. */
	public static final String CA_NAME = "Warp Edge CA";

	/** The edge's tunnel certificate. */
	public static final String CERTIFICATE_FILE = "edge.pem";

	/** The private key of the edge's tunnel certificate, owner-only. */
	public static final String KEY_FILE = "edge-key.pem";

	static final Duration VALIDITY = Duration.ofDays(365);

	static final Duration RENEW_BEFORE = Duration.ofDays(30);

	private static final Logger logger = LoggerFactory.getLogger(EdgeCredentials.class);

	private final CertificateAuthority authority;

	private final Path caCertificateFile;

	private final X509Certificate certificate;

	private final PrivateKey privateKey;

	private EdgeCredentials(CertificateAuthority authority, Path caCertificateFile, X509Certificate certificate,
			PrivateKey privateKey) {
		this.authority = authority;
		this.caCertificateFile = caCertificateFile;
		this.certificate = certificate;
		this.privateKey = privateKey;
	}

	/**
	 * Loads the credentials kept in a data directory, creating or renewing what is needed.
	 * @param dataDir the edge's data directory
	 * @param names the names the tunnel certificate must be valid for
	 */
	public static EdgeCredentials loadOrCreate(Path dataDir, Collection<String> names) {
		return loadOrCreate(dataDir, names, Clock.systemUTC());
	}

	static EdgeCredentials loadOrCreate(Path dataDir, Collection<String> names, Clock clock) {
		CertificateAuthority authority = CertificateAuthority.loadOrCreate(dataDir, CA_NAME);
		Path certificateFile = dataDir.resolve(CERTIFICATE_FILE);
		Path keyFile = dataDir.resolve(KEY_FILE);
		Path caFile = dataDir.resolve(CertificateAuthority.CERTIFICATE_FILE);
		String problem = problem(authority, certificateFile, keyFile, names, clock.instant());
		if (problem == null) {
			return new EdgeCredentials(authority, caFile, PemFiles.readCertificates(certificateFile).get(0),
					PemFiles.readPrivateKey(keyFile));
		}
		logger.info("Issuing the edge's tunnel certificate for {} ({})", names, problem);
		KeyPair keys = KeyPairs.generate();
		X509Certificate certificate = authority.issueServerCertificate(keys.getPublic(), "Warp Edge", List.copyOf(names),
				VALIDITY);
		// Key first: a certificate on disk without its key would be read back as unusable anyway.
		PemFiles.writePrivateKey(keyFile, keys.getPrivate());
		PemFiles.writeCertificates(certificateFile, certificate);
		return new EdgeCredentials(authority, caFile, certificate, keys.getPrivate());
	}

	/** Why the certificate on disk cannot be used, or {@code null} when it can. */
	private static @Nullable String problem(CertificateAuthority authority, Path certificateFile, Path keyFile,
			Collection<String> names, Instant now) {
		if (!Files.exists(certificateFile) || !Files.exists(keyFile)) {
			return "none in the data directory yet";
		}
		X509Certificate certificate;
		PrivateKey key;
		try {
			certificate = PemFiles.readCertificates(certificateFile).get(0);
			key = PemFiles.readPrivateKey(keyFile);
		}
		catch (RuntimeException ex) {
			return "the one on disk is unreadable: " + ex.getMessage();
		}
		try {
			certificate.verify(authority.certificate().getPublicKey());
		}
		catch (GeneralSecurityException ex) {
			return "the one on disk was not issued by this CA";
		}
		if (certificate.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))) {
			return "the one on disk expires " + certificate.getNotAfter().toInstant();
		}
		if (!matches(key, certificate)) {
			return "the key on disk does not match the certificate";
		}
		Set<String> present = subjectAlternativeNames(certificate);
		for (String name : names) {
			if (!present.contains(normalize(name))) {
				return "the one on disk lacks the name " + name;
			}
		}
		return null;
	}

	private static boolean matches(PrivateKey key, X509Certificate certificate) {
		try {
			byte[] probe = "warp-edge key check".getBytes(StandardCharsets.US_ASCII);
			Signature signer = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
			signer.initSign(key);
			signer.update(probe);
			byte[] signature = signer.sign();
			Signature verifier = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
			verifier.initVerify(certificate.getPublicKey());
			verifier.update(probe);
			return verifier.verify(signature);
		}
		catch (GeneralSecurityException ex) {
			return false;
		}
	}

	private static Set<String> subjectAlternativeNames(X509Certificate certificate) {
		Set<String> names = new HashSet<>();
		try {
			Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
			if (entries != null) {
				for (List<?> entry : entries) {
					if (entry.size() == 2 && entry.get(1) instanceof String name) {
						names.add(normalize(name));
					}
				}
			}
		}
		catch (CertificateParsingException ex) {
			// Treated as having no names: the certificate is issued again.
		}
		return names;
	}

	/**
	 * One spelling per name, so that {@code ::1} matches the {@code 0:0:0:0:0:0:0:1} a
	 * certificate reports.
	 */
	private static String normalize(String name) {
		String trimmed = name.trim();
		if (trimmed.contains(":") || trimmed.matches("[0-9.]+")) {
			try {
				// A literal address: no lookup happens.
				return InetAddress.getByName(trimmed).getHostAddress();
			}
			catch (Exception ex) {
				return trimmed;
			}
		}
		return trimmed.toLowerCase(Locale.ROOT);
	}

	public CertificateAuthority authority() {
		return this.authority;
	}

	/** The CA certificate file that agents trust. */
	public Path caCertificateFile() {
		return this.caCertificateFile;
	}

	/** The edge's tunnel certificate. */
	public X509Certificate certificate() {
		return this.certificate;
	}

	/** The private key of {@link #certificate()}. */
	public PrivateKey privateKey() {
		return this.privateKey;
	}

}
