package dev.warp.edge;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A program from one of Debian's packages that a test needs for real (a Redis server, a browser):
 * found on the {@code PATH} or in the usual directories, else installed with apt-get first, so
 * that the test command alone works on a fresh machine (as root; elsewhere the caller says what
 * to install).
 */
final class DebianPackage {

	private DebianPackage() {
	}

	/**
	 * The path of the first of {@code programs} found, installing {@code packageName} when none is.
	 * @return the program, or {@code null} when it is missing and could not be installed
	 */
	static @Nullable String executable(String packageName, String... programs) throws IOException, InterruptedException {
		String found = find(programs);
		if (found == null) {
			install(packageName, programs);
			found = find(programs);
		}
		return found;
	}

	private static @Nullable String find(String... programs) {
		for (String program : programs) {
			for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin").split(File.pathSeparator)) {
				Path candidate = Path.of(dir, program);
				if (Files.isExecutable(candidate)) {
					return candidate.toString();
				}
			}
			for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
				if (Files.isExecutable(Path.of(dir, program))) {
					return Path.of(dir, program).toString();
				}
			}
		}
		return null;
	}

	private static synchronized void install(String packageName, String... programs)
			throws IOException, InterruptedException {
		if (find(programs) != null || !Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
			return;
		}
		System.out.println(packageName + " is missing: installing it with apt-get for the tests");
		for (List<String> command : List.of(List.of("apt-get", "update"),
				List.of("apt-get", "install", "-y", "--no-install-recommends", packageName))) {
			Process process = new ProcessBuilder(command).inheritIO().start();
			if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
				return;
			}
		}
	}

}
