package dev.warp.edge.provisioning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import dev.warp.core.pki.OwnerOnlyDirectories;

/**
 * Serial numbers of revoked origin certificates, one hexadecimal serial a line in
 * {@value #FILE} of the edge's data directory. Read again whenever it changed on disk, so that
 * {@code cert revoke} with the edge jar reaches a running edge (which watches the file and closes
 * connections that use a revoked certificate) and nodes sharing the data directory.
 */
public final class RevokedCertificates {

	/** The file in the data directory. */
	public static final String FILE = "revoked-certificates";

	private final Path file;

	private volatile Set<BigInteger> serials = Set.of();

	private long loadedModified = Long.MIN_VALUE;

	public RevokedCertificates(Path dataDir) {
		this.file = dataDir.resolve(FILE);
		reload();
	}

	/** Adds a serial (hexadecimal, as {@code openssl x509 -serial} prints it, colons allowed). */
	public synchronized BigInteger revoke(String serial) {
		BigInteger number = parse(serial);
		try {
			OwnerOnlyDirectories.create(this.file.toAbsolutePath().getParent());
			createOwnerOnly(this.file);
			Files.writeString(this.file, number.toString(16) + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write " + this.file + ": " + ex.getMessage(), ex);
		}
		reload();
		return number;
	}

	/** The file the serials are kept in. */
	public Path file() {
		return this.file;
	}

	private static void createOwnerOnly(Path file) throws IOException {
		if (Files.exists(file) || !file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
			return;
		}
		try {
			Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		}
		catch (FileAlreadyExistsException ex) {
			// Another command created it meanwhile.
		}
	}

	public boolean isRevoked(X509Certificate certificate) {
		return this.serials.contains(certificate.getSerialNumber());
	}

	/** Reads the file again if it changed. */
	public synchronized void reload() {
		try {
			if (!Files.exists(this.file)) {
				this.serials = Set.of();
				return;
			}
			long modified = Files.getLastModifiedTime(this.file).toMillis() ^ Files.size(this.file);
			if (modified == this.loadedModified) {
				return;
			}
			Set<BigInteger> read = new HashSet<>();
			for (String line : Files.readAllLines(this.file, StandardCharsets.US_ASCII)) {
				if (!line.isBlank() && !line.startsWith("#")) {
					read.add(parse(line));
				}
			}
			this.serials = Set.copyOf(read);
			this.loadedModified = modified;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read " + this.file + ": " + ex.getMessage(), ex);
		}
	}

	static BigInteger parse(String serial) {
		String hex = serial.trim().replace(":", "").toLowerCase(Locale.ROOT);
		if (hex.startsWith("0x")) {
			hex = hex.substring(2);
		}
		try {
			return new BigInteger(hex, 16);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("'" + serial + "' is not a hexadecimal certificate serial number");
		}
	}

}
