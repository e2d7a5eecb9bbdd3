package dev.warp.agent;

import java.nio.file.Path;

/** The credentials directory cannot be created or written: the agent cannot keep its key. */
public final class CredentialsDirectoryException extends IllegalStateException {

	private final Path directory;

	public CredentialsDirectoryException(Path directory, String reason, Throwable cause) {
		super("Cannot use the credentials directory " + directory + ": " + reason, cause);
		this.directory = directory;
	}

	public Path directory() {
		return this.directory;
	}

}
