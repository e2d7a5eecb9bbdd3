package dev.warp.edge.listener;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.jspecify.annotations.Nullable;
import reactor.netty.DisposableServer;

/**
 * Every connection a listener accepted and that is still open. Stopping a server only stops it
 * accepting: a keep-alive connection, a WebSocket or a stalled visitor would otherwise outlive the
 * node that closed its listener, and hold its event loop and port.
 */
public final class OpenConnections {

	private final ChannelGroup channels;

	/** @param name the listener's name, for Netty's diagnostics */
	public OpenConnections(String name) {
		this.channels = new DefaultChannelGroup(name, ImmediateEventExecutor.INSTANCE);
	}

	/** Counts an accepted connection in; it leaves by itself when it closes. */
	public void add(Channel channel) {
		this.channels.add(channel);
	}

	/**
	 * Closes the server sockets, then every connection still open, each step waiting at most
	 * {@code timeout}.
	 */
	public void close(Duration timeout, Channel... serverSockets) {
		for (Channel serverSocket : serverSockets) {
			if (serverSocket != null) {
				serverSocket.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
			}
		}
		this.channels.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	/**
	 * Stops the servers in order, then closes every connection still open, each step waiting at
	 * most {@code timeout}; a server that fails to stop does not keep the others or the
	 * connections open, and its failure is thrown at the end.
	 */
	public void close(Duration timeout, @Nullable DisposableServer... servers) {
		RuntimeException failure = null;
		for (DisposableServer server : servers) {
			if (server == null) {
				continue;
			}
			try {
				server.disposeNow(timeout);
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		this.channels.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
		if (failure != null) {
			throw failure;
		}
	}

}
