package dev.warp.sample.tunnel;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java process started from the test's own class path, with its own heap limits: the way to
 * prove that a component streams instead of buffering.
 */
final class ForkedJvm implements AutoCloseable {

	private final Process process;

	private final Path log;

	private ForkedJvm(Process process, Path log) {
		this.process = process;
		this.log = log;
	}

	static ForkedJvm start(Path log, List<String> jvmOptions, String mainClass, String... args) throws IOException {
		return startWithout(log, jvmOptions, List.of(), mainClass, args);
	}

	/**
	 * Starts a process whose class path is the test's without the entries whose path contains
	 * one of the given texts: the way to prove that a dependency is optional.
	 */
	static ForkedJvm startWithout(Path log, List<String> jvmOptions, List<String> excluded, String mainClass,
			String... args) throws IOException {
		String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
			.filter((entry) -> excluded.stream().noneMatch(entry::contains))
			.collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		// An OutOfMemoryError must end the process, not be logged and survived.
		command.add("-XX:+ExitOnOutOfMemoryError");
		command.add("-cp");
		command.add(classPath);
		command.add(mainClass);
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		return new ForkedJvm(process, log);
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/** The process's output so far, for failure messages. */
	String output() {
		try {
			String text = Files.readString(this.log);
			return (text.length() > 6000) ? text.substring(text.length() - 6000) : text;
		}
		catch (IOException ex) {
			return "(cannot read " + this.log + ": " + ex.getMessage() + ")";
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

}
