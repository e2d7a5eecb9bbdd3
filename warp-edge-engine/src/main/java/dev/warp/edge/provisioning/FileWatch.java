package dev.warp.edge.provisioning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back, on a thread of its own, as soon as a file of the data directory is written, created
 * (an atomic replace included) or deleted: the operator's commands change these files beside a
 * running edge, which must act on them at once (the file system tells, through inotify on Linux).
 * A file system that does not tell (a network share written by another machine) is still covered
 * by whoever reads the file again periodically.
 */
public final class FileWatch implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(FileWatch.class);

	private final Path file;

	private final WatchService watcher;

	private final Runnable onChange;

	private FileWatch(Path file, WatchService watcher, Runnable onChange) {
		this.file = file;
		this.watcher = watcher;
		this.onChange = onChange;
	}

	/**
	 * Starts watching a file; its directory must exist.
	 * @param file the file
	 * @param onChange called after each change, on the watch's thread; must not throw
	 */
	public static FileWatch start(Path file, Runnable onChange) {
		Path absolute = file.toAbsolutePath();
		try {
			WatchService watcher = absolute.getFileSystem().newWatchService();
			absolute.getParent()
				.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
						StandardWatchEventKinds.ENTRY_DELETE);
			FileWatch watch = new FileWatch(absolute, watcher, onChange);
			Thread thread = new Thread(watch::run, "warp-edge-watch-" + absolute.getFileName());
			thread.setDaemon(true);
			thread.start();
			return watch;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot watch " + absolute + " for changes: " + ex.getMessage(), ex);
		}
	}

	private void run() {
		try {
			while (true) {
				WatchKey key = this.watcher.take();
				boolean changed = false;
				for (WatchEvent<?> event : key.pollEvents()) {
					// An overflow lost the names: the file may be among them.
					changed |= event.kind() == StandardWatchEventKinds.OVERFLOW
							|| this.file.getFileName().equals(event.context());
				}
				if (changed) {
					this.onChange.run();
				}
				if (!key.reset()) {
					logger.warn("Stopped watching {}: its directory is gone", this.file);
					return;
				}
			}
		}
		catch (ClosedWatchServiceException | InterruptedException ex) {
			// Closed: the edge stops.
		}
	}

	@Override
	public void close() {
		try {
			this.watcher.close();
		}
		catch (IOException ex) {
			logger.debug("Cannot close the watch of {}", this.file, ex);
		}
	}

}
