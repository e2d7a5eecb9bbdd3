package dev.warp.edge.tunnel;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

/**
 * The edge's event loops as the tunnel listener hands them out: each new tunnel connection goes
 * to the loop that holds the fewest. Visitors are spread over the same loops round-robin, and a
 * visitor whose loop holds a connection of the hostname is served without a hop to another
 * thread and back (see {@code HostnamePool}); round-robin placement of tunnel connections, mixed
 * with every other connection the loops take, left some loops without one and their visitors
 * with a hop on every request.
 *
 * <p>Only places connections: the loops belong to the group it wraps, which alone is shut down.
 */
final class TunnelEventLoops extends AbstractEventExecutorGroup implements EventLoopGroup {

	private final EventLoopGroup group;

	private final List<EventLoop> loops = new ArrayList<>();

	private final AtomicIntegerArray connections;

	/** Where the search for the least loaded loop starts: ties go round-robin. */
	private final AtomicInteger start = new AtomicInteger();

	TunnelEventLoops(EventLoopGroup group) {
		this.group = group;
		for (EventExecutor executor : group) {
			this.loops.add((EventLoop) executor);
		}
		this.connections = new AtomicIntegerArray(this.loops.size());
	}

	/** How many tunnel connections the loop holds now. */
	int connectionsOn(EventLoop loop) {
		int index = this.loops.indexOf(loop);
		return (index < 0) ? 0 : this.connections.get(index);
	}

	@Override
	public EventLoop next() {
		return this.loops.get(leastLoaded());
	}

	@Override
	public ChannelFuture register(Channel channel) {
		return register(channel.newPromise());
	}

	@Override
	public ChannelFuture register(ChannelPromise promise) {
		int index = leastLoaded();
		this.connections.incrementAndGet(index);
		promise.channel().closeFuture().addListener((closed) -> this.connections.decrementAndGet(index));
		return this.loops.get(index).register(promise);
	}

	/** The index of the loop with the fewest connections; ties go round-robin. */
	private int leastLoaded() {
		int size = this.loops.size();
		int first = Math.floorMod(this.start.getAndIncrement(), size);
		int best = first;
		for (int i = 1; i < size; i++) {
			int candidate = (first + i) % size;
			if (this.connections.get(candidate) < this.connections.get(best)) {
				best = candidate;
			}
		}
		return best;
	}

	@Override
	@Deprecated
	public ChannelFuture register(Channel channel, ChannelPromise promise) {
		return register(promise);
	}

	@Override
	public Iterator<EventExecutor> iterator() {
		return this.group.iterator();
	}

	@Override
	public boolean isShuttingDown() {
		return this.group.isShuttingDown();
	}

	@Override
	public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
		return this.group.shutdownGracefully(quietPeriod, timeout, unit);
	}

	@Override
	public Future<?> terminationFuture() {
		return this.group.terminationFuture();
	}

	@Override
	@Deprecated
	public void shutdown() {
		this.group.shutdown();
	}

	@Override
	public boolean isShutdown() {
		return this.group.isShutdown();
	}

	@Override
	public boolean isTerminated() {
		return this.group.isTerminated();
	}

	@Override
	public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
		return this.group.awaitTermination(timeout, unit);
	}

}
