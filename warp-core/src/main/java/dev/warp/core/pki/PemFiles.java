package dev.warp.core.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Reads and writes certificates and private keys as PEM files. Private keys are written with
 * owner-only permissions, atomically, so that a crash never leaves half a key behind.
 */
public final class PemFiles {

	private PemFiles() {
	}

	/** Every certificate in PEM text, in order. */
	public static List<X509Certificate> parseCertificates(String pem) {
		try {
			return readCertificates(new java.io.StringReader(pem), "the PEM text");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Every certificate in a PEM file, in file order. */
	public static List<X509Certificate> readCertificates(Path file) {
		try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
			return readCertificates(reader, file.toString());
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Cannot read certificates from " + file + ": " + ex.getMessage(), ex);
		}
	}

	private static List<X509Certificate> readCertificates(Reader reader, String source) throws IOException {
		List<X509Certificate> certificates = new ArrayList<>();
		try (PEMParser parser = new PEMParser(reader)) {
			JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
			for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
				if (object instanceof X509CertificateHolder holder) {
					certificates.add(converter.getCertificate(holder));
				}
			}
		}
		catch (IOException | CertificateException ex) {
			throw new IllegalArgumentException("Cannot read certificates from " + source + ": " + ex.getMessage(), ex);
		}
		if (certificates.isEmpty()) {
			throw new IllegalArgumentException("No PEM certificate found in " + source);
		}
		return certificates;
	}

	/** The first private key in a PEM file (PKCS#8 or a traditional key pair). */
	public static PrivateKey readPrivateKey(Path file) {
		try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
			JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
			for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
				if (object instanceof PrivateKeyInfo info) {
					return converter.getPrivateKey(info);
				}
				if (object instanceof PEMKeyPair pair) {
					return converter.getKeyPair(pair).getPrivate();
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Cannot read a private key from " + file + ": " + ex.getMessage(), ex);
		}
		throw new IllegalArgumentException("No PEM private key found in " + file);
	}

	/**
	 * PEM text of the given objects (certificates, keys, CSRs). Private keys are written as
	 * PKCS#8 ({@code PRIVATE KEY}): the traditional {@code EC PRIVATE KEY} form BouncyCastle
	 * would write for a JDK key leaves out the curve, and cannot be read back.
	 */
	public static String toPem(Object... objects) {
		StringWriter out = new StringWriter();
		try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
			for (Object object : objects) {
				if (object instanceof PrivateKey key && "PKCS#8".equals(key.getFormat())) {
					writer.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
				}
				else {
					writer.writeObject(object);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toString();
	}

	/** Writes certificates, readable by all. */
	public static void writeCertificates(Path file, X509Certificate... certificates) {
		write(file, toPem((Object[]) certificates), false);
	}

	/** Writes certificates readable and writable by their owner only, as an origin's credentials are. */
	public static void writeCertificatesOwnerOnly(Path file, List<X509Certificate> certificates) {
		write(file, toPem(certificates.toArray()), true);
	}

	/** Writes a private key readable and writable by its owner only. */
	public static void writePrivateKey(Path file, PrivateKey key) {
		write(file, toPem(key), true);
	}

	/** Writes PEM text (keys among it) readable and writable by its owner only. */
	public static void writeOwnerOnly(Path file, String pem) {
		write(file, pem, true);
	}

	private static void write(Path file, String pem, boolean ownerOnly) {
		try {
			Path dir = file.toAbsolutePath().getParent();
			OwnerOnlyDirectories.create(dir);
			Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
			try {
				if (Files.getFileStore(temp).supportsFileAttributeView("posix")) {
					Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(ownerOnly ? "rw-------" : "rw-r--r--"));
				}
				Files.writeString(temp, pem, StandardCharsets.US_ASCII);
				Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			}
			finally {
				Files.deleteIfExists(temp);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write " + file + ": " + ex.getMessage(), ex);
		}
	}

}
