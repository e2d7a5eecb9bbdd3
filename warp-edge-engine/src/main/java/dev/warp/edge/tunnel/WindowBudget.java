package dev.warp.edge.tunnel;

import java.util.concurrent.atomic.AtomicLong;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;

/**
 * How much tunnel stream window beyond {@link StreamWindow#INITIAL} the responses of one visitor
 * connection may have granted at once, within what all visitors of the listener may: every byte
 * of window is a byte the agent may send that the edge holds until the visitor takes it. A
 * visitor who opens a hundred streams and reads none of them holds a hundred small windows, not a
 * hundred large ones; a few fast downloads on a connection get the large windows a long round trip
 * needs. Thread-safe: streams of one visitor run on several tunnel connections' event loops.
 */
public final class WindowBudget {

	/** Window beyond the initial ones that the responses of one visitor connection may hold. */
	public static final long PER_CONNECTION = 4L * 1024 * 1024;

	/** Window beyond the initial ones that the responses of all visitors of a listener may hold. */
	public static final long TOTAL = 256L * 1024 * 1024;

	private static final AttributeKey<WindowBudget> CONNECTION_BUDGET = AttributeKey.valueOf("warp.windowBudget");

	private final @Nullable WindowBudget total;

	private final AtomicLong available;

	private WindowBudget(@Nullable WindowBudget total, long available) {
		this.total = total;
		this.available = new AtomicLong(available);
	}

	/** The budget of all the visitors of one listener. */
	public static WindowBudget total() {
		return new WindowBudget(null, TOTAL);
	}

	/**
	 * The budget of the visitor connection {@code channel} belongs to (the channel itself, or the
	 * connection of an HTTP/2 stream's channel), created with its first response.
	 */
	public WindowBudget forConnection(Channel channel) {
		Channel connection = (channel instanceof Http2StreamChannel stream && stream.parent() != null) ? stream.parent()
				: channel;
		WindowBudget budget = connection.attr(CONNECTION_BUDGET).get();
		if (budget == null) {
			budget = new WindowBudget(this, PER_CONNECTION);
			WindowBudget raced = connection.attr(CONNECTION_BUDGET).setIfAbsent(budget);
			if (raced != null) {
				budget = raced;
			}
		}
		return budget;
	}

	/** Takes up to {@code wanted} bytes, from this budget and the total alike; returns how many. */
	public int take(int wanted) {
		int taken = takeOwn(wanted);
		if (taken > 0 && this.total != null) {
			int fromTotal = this.total.takeOwn(taken);
			this.available.addAndGet(taken - fromTotal);
			taken = fromTotal;
		}
		return taken;
	}

	/** Gives back bytes taken: their stream closed. */
	public void release(int bytes) {
		this.available.addAndGet(bytes);
		if (this.total != null) {
			this.total.release(bytes);
		}
	}

	private int takeOwn(int wanted) {
		while (true) {
			long available = this.available.get();
			int taken = (int) Math.min(available, wanted);
			if (taken <= 0) {
				return 0;
			}
			if (this.available.compareAndSet(available, available - taken)) {
				return taken;
			}
		}
	}

}
