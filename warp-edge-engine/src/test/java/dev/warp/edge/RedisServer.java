package dev.warp.edge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * A real {@code redis-server} for one test: started as a child process on a free loopback port,
 * with nothing persisted, and killed by {@link #close()}. On a machine without Redis it installs
 * Debian's package first.
 */
public final class RedisServer implements AutoCloseable {

	private final Process process;

	private final Path log;

	private final int port;

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	private RedisServer(Process process, Path log, int port, RedisClient client,
			StatefulRedisConnection<String, String> connection) {
		this.process = process;
		this.log = log;
		this.port = port;
		this.client = client;
		this.connection = connection;
	}

	/**
	 * Starts a server and waits until it answers.
	 * @param directory where its working directory and log go
	 */
	public static RedisServer start(Path directory) throws IOException, InterruptedException {
		return start(directory, FreePorts.next());
	}

	/** Starts a server on a given port: a restart of one that was closed. */
	public static RedisServer start(Path directory, int port) throws IOException, InterruptedException {
		String executable = executable();
		Path log = directory.resolve("redis-" + port + ".log");
		Process process = new ProcessBuilder(executable, "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save",
				"", "--appendonly", "no", "--dir", directory.toString())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (true) {
			try {
				return new RedisServer(process, log, port, client, client.connect());
			}
			catch (RuntimeException ex) {
				if (!process.isAlive() || System.nanoTime() > deadline) {
					client.shutdown();
					process.destroyForcibly();
					throw new IllegalStateException("redis-server did not start: " + Files.readString(log), ex);
				}
				Thread.sleep(50);
			}
		}
	}

	public int port() {
		return this.port;
	}

	/** The URL nodes join the cluster with. */
	public String url() {
		return "redis://127.0.0.1:" + this.port;
	}

	/** Commands to inspect the server's keys. */
	public RedisCommands<String, String> commands() {
		return this.connection.sync();
	}

	/** Every key whose name starts with {@code prefix}. */
	public List<String> keys(String prefix) {
		return commands().keys(prefix + "*");
	}

	@Override
	public void close() throws InterruptedException {
		this.connection.close();
		this.client.shutdown(0, 1, TimeUnit.SECONDS);
		this.process.destroy();
		if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
		}
	}

	@Override
	public String toString() {
		return "RedisServer[" + url() + ", log " + this.log + "]";
	}

	private static String executable() throws IOException, InterruptedException {
		String found = DebianPackage.executable("redis-server", "redis-server");
		if (found == null) {
			throw new IllegalStateException("redis-server is not installed and could not be installed here; the "
					+ "cluster tests need a real Redis: apt-get install -y redis-server");
		}
		return found;
	}

}
