package dev.warp.agent;

import java.nio.file.Path;

/**
 * The edge CA certificate in the {@link TunnelSettings#caCertificate() settings} cannot be used:
 * the file is missing, unreadable, or holds no certificate. Thrown when a {@link WarpTunnel} is
 * created.
 */
public final class InvalidCaCertificateException extends IllegalStateException {

	private final Path file;

	public InvalidCaCertificateException(Path file, String reason) {
		super("Cannot use the edge CA certificate " + file + ": " + reason);
		this.file = file;
	}

	/** The file named in the settings. */
	public Path file() {
		return this.file;
	}

}
