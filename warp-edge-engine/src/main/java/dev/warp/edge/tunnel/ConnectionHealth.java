package dev.warp.edge.tunnel;

import java.util.concurrent.atomic.LongAdder;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;

/**
 * How one tunnel connection serves requests, as the edge sees it: requests that got a response
 * from the agent and how fast (from opening the stream to the response headers), and requests
 * the tunnel failed (the stream was reset or refused, the connection was lost, the agent broke
 * the protocol). A failed request is a failure of the tunnel, not an error status of the
 * application: a 500 the application sends counts as answered.
 *
 * <p>Recorded on the connection's event loop (each request's stream and its heartbeat run on
 * it), read from any thread. The error rate, latency and round-trip time are exponentially
 * weighted moving averages, so that they follow the recent past.
 */
public final class ConnectionHealth {

	/** Weight of each new observation in the moving averages: about the last 20 requests count. */
	static final double WEIGHT = 0.1;

	/** Weight of each new heartbeat in the moving average of the round-trip time. */
	static final double RTT_WEIGHT = 0.3;

	private static final AttributeKey<ConnectionHealth> KEY = AttributeKey.valueOf(ConnectionHealth.class, "health");

	private final LongAdder answered = new LongAdder();

	private final LongAdder failed = new LongAdder();

	private volatile double errorRate;

	private volatile double latencyNanos = -1;

	private volatile double rttNanos = -1;

	private int rttSamples;

	private volatile @Nullable Listener listener;

	/** Health of a connection whose requests are recorded where its streams find it: on its channel. */
	static ConnectionHealth attachTo(Channel channel) {
		ConnectionHealth health = new ConnectionHealth();
		channel.attr(KEY).set(health);
		return health;
	}

	/**
	 * The health of the tunnel connection a channel belongs to: the connection's own channel or
	 * one of its streams; {@code null} for any other channel.
	 */
	public static @Nullable ConnectionHealth of(@Nullable Channel channel) {
		for (Channel current = channel; current != null; current = current.parent()) {
			ConnectionHealth health = current.attr(KEY).get();
			if (health != null) {
				return health;
			}
		}
		return null;
	}

	/** Who else hears of each request (the node's metrics); replaces the previous one. */
	public void listener(@Nullable Listener listener) {
		this.listener = listener;
	}

	/**
	 * The agent answered a request with response headers.
	 * @param latencyNanos from opening the stream to the headers
	 */
	public void answered(long latencyNanos) {
		this.answered.increment();
		double previous = this.latencyNanos;
		this.latencyNanos = (previous < 0) ? latencyNanos : previous + WEIGHT * (latencyNanos - previous);
		this.errorRate = this.errorRate * (1 - WEIGHT);
		Listener current = this.listener;
		if (current != null) {
			current.answered(latencyNanos);
		}
	}

	/** The tunnel failed a request before or while the agent answered it. */
	public void failed() {
		this.failed.increment();
		this.errorRate = this.errorRate + WEIGHT * (1 - this.errorRate);
		Listener current = this.listener;
		if (current != null) {
			current.failed();
		}
	}

	/**
	 * A heartbeat's round trip. The first one of a connection is left out: it is measured while
	 * the agent still sets up HTTP/2, and on a fast network can be many times the real one.
	 */
	public void rttMeasured(long nanos) {
		if (this.rttSamples++ == 0) {
			return;
		}
		double previous = this.rttNanos;
		this.rttNanos = (previous < 0) ? nanos : previous + RTT_WEIGHT * (nanos - previous);
	}

	/** Recent heartbeat round-trip time, or {@code -1} before the second heartbeat. */
	public double rttNanos() {
		return this.rttNanos;
	}

	/** Requests the agent answered. */
	public long answeredRequests() {
		return this.answered.sum();
	}

	/** Requests the tunnel failed. */
	public long failedRequests() {
		return this.failed.sum();
	}

	/** Recent share of failed requests, from 0 to 1. */
	public double errorRate() {
		return this.errorRate;
	}

	/** Recent time from a stream's opening to the agent's response headers, or {@code -1} before the first. */
	public double latencyNanos() {
		return this.latencyNanos;
	}

	/** Hears of each request of a connection. Called on the connection's event loop: must not block. */
	public interface Listener {

		void answered(long latencyNanos);

		void failed();

	}

}
