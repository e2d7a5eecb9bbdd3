package dev.warp.agent;

import java.nio.file.Path;

/**
 * The agent has no usable origin certificate and no account token to obtain one with.
 */
public final class MissingTokenException extends IllegalStateException {

	private final String hostname;

	private final Path directory;

	public MissingTokenException(String hostname, Path directory, String problem) {
		super("No origin certificate for " + hostname + " can be used (" + problem + ") and no account token is "
				+ "configured to obtain one");
		this.hostname = hostname;
		this.directory = directory;
	}

	public String hostname() {
		return this.hostname;
	}

	/** Where the agent looked for existing credentials. */
	public Path directory() {
		return this.directory;
	}

}
