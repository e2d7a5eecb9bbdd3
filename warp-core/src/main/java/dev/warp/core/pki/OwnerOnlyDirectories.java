package dev.warp.core.pki;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Creates the directories that hold keys and secrets readable by their owner only ({@code 0700}):
 * a file's own permissions do not hide its name, nor a file written with looser ones by mistake.
 */
public final class OwnerOnlyDirectories {

	private OwnerOnlyDirectories() {
	}

	/**
	 * Creates a directory and its missing parents, each owner-only where the file system has
	 * POSIX permissions; directories that exist already are left as they are.
	 */
	public static void create(Path dir) throws IOException {
		Path absolute = dir.toAbsolutePath();
		if (Files.isDirectory(absolute)) {
			return;
		}
		if (absolute.getFileSystem().supportedFileAttributeViews().contains("posix")) {
			FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
			Files.createDirectories(absolute, ownerOnly);
		}
		else {
			Files.createDirectories(absolute);
		}
	}

}
