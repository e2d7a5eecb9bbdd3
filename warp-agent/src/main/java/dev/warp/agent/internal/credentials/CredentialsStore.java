package dev.warp.agent.internal.credentials;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import dev.warp.agent.CredentialsDirectoryException;
import dev.warp.agent.OriginCredentials;
import dev.warp.core.pki.OwnerOnlyDirectories;
import dev.warp.core.pki.PemFiles;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an agent keeps its origin credentials: {@code <dir>/<hostname>/key.pem} and
 * {@code cert.pem}, the files readable and writable by their owner only ({@code 0600}) in a
 * directory only the owner may enter ({@code 0700}). The account token is never written here.
 */
public final class CredentialsStore {

	/** The private key's file. */
	public static final String KEY_FILE = "key.pem";

	/** The certificate chain's file: the origin certificate, then the CA. */
	public static final String CERTIFICATE_FILE = "cert.pem";

	private static final Logger logger = LoggerFactory.getLogger(CredentialsStore.class);

	private final Path directory;

	public CredentialsStore(Path credentialsDir, String hostname) {
		this.directory = credentialsDir.resolve(hostname);
	}

	/** The directory of this hostname's files. */
	public Path directory() {
		return this.directory;
	}

	/**
	 * Creates the directory owner-only if needed and checks that files can be written there.
	 * @throws CredentialsDirectoryException if not
	 */
	public void checkWritable() {
		try {
			OwnerOnlyDirectories.create(this.directory);
			Path probe = Files.createTempFile(this.directory, ".write-check", ".tmp");
			Files.delete(probe);
		}
		catch (IOException | SecurityException ex) {
			String reason = (ex instanceof FileSystemException fs && fs.getReason() != null) ? fs.getReason()
					: String.valueOf(ex.getMessage());
			throw new CredentialsDirectoryException(this.directory, reason + " (" + ex.getClass().getSimpleName() + ")",
					ex);
		}
	}

	/** The credentials on disk, or {@code null} when there are none or they cannot be read. */
	public @Nullable OriginCredentials load() {
		Path keyFile = this.directory.resolve(KEY_FILE);
		Path certificateFile = this.directory.resolve(CERTIFICATE_FILE);
		if (!Files.isRegularFile(keyFile) || !Files.isRegularFile(certificateFile)) {
			return null;
		}
		try {
			PrivateKey key = PemFiles.readPrivateKey(keyFile);
			List<X509Certificate> chain = PemFiles.readCertificates(certificateFile);
			return new OriginCredentials(key, chain);
		}
		catch (RuntimeException ex) {
			logger.warn("Ignoring the origin credentials in {}, they cannot be read: {}",
					this.directory, ex.getMessage());
			return null;
		}
	}

	/** Writes new credentials, key first, each file atomically and owner-only. */
	public void save(OriginCredentials credentials) {
		checkWritable();
		PemFiles.writePrivateKey(this.directory.resolve(KEY_FILE), credentials.privateKey());
		PemFiles.writeCertificatesOwnerOnly(this.directory.resolve(CERTIFICATE_FILE), credentials.chain());
	}

}
