package dev.warp.edge.acme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.warp.core.pki.PemFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ACME certificates in the data directory, one PEM file a hostname (its private key, then
 * its chain), readable by the owner only, so that a restart serves them again without an order.
 */
final class CertificateFiles {

	private static final Logger logger = LoggerFactory.getLogger(CertificateFiles.class);

	private static final String SUFFIX = ".pem";

	private final Path directory;

	/** The files in {@code <dataDir>/acme/certificates}. */
	CertificateFiles(Path acmeDirectory) {
		this.directory = acmeDirectory.resolve("certificates");
	}

	void write(IssuedCertificate certificate) {
		PemFiles.writeOwnerOnly(file(certificate.hostname()), certificate.toPem());
	}

	/** Every stored certificate that can be read; one that cannot is logged and left alone. */
	List<IssuedCertificate> readAll() {
		if (!Files.isDirectory(this.directory)) {
			return List.of();
		}
		List<IssuedCertificate> found = new ArrayList<>();
		try (DirectoryStream<Path> files = Files.newDirectoryStream(this.directory, "*" + SUFFIX)) {
			for (Path file : files) {
				String name = file.getFileName().toString();
				String hostname = name.substring(0, name.length() - SUFFIX.length());
				try {
					found.add(PemBundle.parse(Files.readString(file, StandardCharsets.US_ASCII)).certificate(hostname));
				}
				catch (IOException | RuntimeException ex) {
					logger.warn("Cannot read the ACME certificate {}: {}; it will be ordered again", file, ex.getMessage());
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot list the ACME certificates in " + this.directory, ex);
		}
		return found;
	}

	private Path file(String hostname) {
		return this.directory.resolve(hostname.toLowerCase(Locale.ROOT) + SUFFIX);
	}

}
