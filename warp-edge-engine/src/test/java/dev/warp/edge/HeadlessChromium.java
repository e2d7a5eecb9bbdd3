package dev.warp.edge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * Debian's Chromium, headless, one process per page load: it loads a URL, lets the page run for a
 * budget of virtual time (its timers and fetches run; the budget pauses while a fetch is under
 * way), then prints the DOM or saves a screenshot. The flags keep it off the network but for the
 * page, as a machine without internet access needs.
 */
final class HeadlessChromium {

	/** The package and the names its browser may have. */
	private static final String PACKAGE = "chromium";

	private static final String[] PROGRAMS = { "chromium", "chromium-browser", "google-chrome" };

	private final String executable;

	private final Path profiles;

	private HeadlessChromium(String executable, Path profiles) {
		this.executable = executable;
		this.profiles = profiles;
	}

	/**
	 * The browser, installed first when missing.
	 * @param profiles where each run makes its fresh profile directory
	 * @return the browser, or {@code null} when it is missing and could not be installed
	 */
	static @Nullable HeadlessChromium find(Path profiles) throws IOException, InterruptedException {
		String executable = DebianPackage.executable(PACKAGE, PROGRAMS);
		return (executable != null) ? new HeadlessChromium(executable, profiles) : null;
	}

	/** The DOM of {@code url}, serialized, after {@code virtualMillis} of the page's time. */
	String dumpDom(String url, int virtualMillis) throws IOException, InterruptedException {
		return run(List.of("--virtual-time-budget=" + virtualMillis, "--dump-dom", url));
	}

	/** Saves a PNG of {@code url} in a window of 1280 by 800, after {@code virtualMillis} of the page's time. */
	void screenshot(String url, int virtualMillis, Path png) throws IOException, InterruptedException {
		Files.createDirectories(png.toAbsolutePath().getParent());
		run(List.of("--virtual-time-budget=" + virtualMillis, "--window-size=1280,800", "--hide-scrollbars",
				"--screenshot=" + png.toAbsolutePath(), url));
		if (!Files.isRegularFile(png)) {
			throw new IllegalStateException("Chromium saved no screenshot of " + url + " in " + png);
		}
	}

	private String run(List<String> arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(this.executable, "--headless", "--no-sandbox", "--disable-gpu",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--disable-dev-shm-usage",
				"--user-data-dir=" + Files.createTempDirectory(Files.createDirectories(this.profiles), "chromium")));
		command.addAll(arguments);
		Path errors = Files.createTempFile(this.profiles, "chromium", ".log");
		Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
		CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
			try {
				return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		if (!process.waitFor(60, TimeUnit.SECONDS)) {
			process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			throw new IllegalStateException("Chromium did not finish within 60 s: " + Files.readString(errors));
		}
		if (process.exitValue() != 0) {
			throw new IllegalStateException("Chromium exited with " + process.exitValue() + ": " + Files.readString(errors));
		}
		return output.join();
	}

}
