package dev.warp.agent;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.warp.agent.internal.connection.TunnelRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running totals of one tunnel, over its whole life (restarts included), and the observers
 * it tells about each event. Readable from any thread at any time; only the tunnel itself records
 * into it. Obtain it from {@link WarpTunnel#statistics()}.
 */
public final class TunnelStatistics {

	private static final Logger logger = LoggerFactory.getLogger(TunnelStatistics.class);

	/** Methods reported as themselves; any other is reported as {@code OTHER}. */
	private static final Set<String> STANDARD_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
			"OPTIONS", "TRACE", "CONNECT");

	private final AtomicInteger activeRequests = new AtomicInteger();

	private final LongAdder requests = new LongAdder();

	private final LongAdder bytesReceived = new LongAdder();

	private final LongAdder bytesSent = new LongAdder();

	private final Map<ReconnectReason, LongAdder> reconnects;

	private final List<TunnelObserver> observers = new CopyOnWriteArrayList<>();

	private final TunnelRecorder recorder = new Recorder();

	TunnelStatistics() {
		Map<ReconnectReason, LongAdder> reconnects = new EnumMap<>(ReconnectReason.class);
		for (ReconnectReason reason : ReconnectReason.values()) {
			reconnects.put(reason, new LongAdder());
		}
		this.reconnects = Collections.unmodifiableMap(reconnects);
	}

	/** Adds an observer; it is told about events from now on. */
	public void addObserver(TunnelObserver observer) {
		this.observers.add(observer);
	}

	public void removeObserver(TunnelObserver observer) {
		this.observers.remove(observer);
	}

	/** Requests being served right now. */
	public int activeRequests() {
		return this.activeRequests.get();
	}

	/** Requests that have ended, however they ended. */
	public long requests() {
		return this.requests.sum();
	}

	/** Bytes read from the tunnel connections' sockets: TLS records of requests, control and heartbeats. */
	public long bytesReceived() {
		return this.bytesReceived.sum();
	}

	/** Bytes written to the tunnel connections' sockets. */
	public long bytesSent() {
		return this.bytesSent.sum();
	}

	/** Reconnects for one reason. */
	public long reconnects(ReconnectReason reason) {
		return this.reconnects.get(reason).sum();
	}

	/** Reconnects for any reason. */
	public long reconnects() {
		return this.reconnects.values().stream().mapToLong(LongAdder::sum).sum();
	}

	/** The write side, for the tunnel's own parts. */
	TunnelRecorder recorder() {
		return this.recorder;
	}

	private final class Recorder implements TunnelRecorder {

		@Override
		public void requestStarted() {
			TunnelStatistics.this.activeRequests.incrementAndGet();
		}

		@Override
		public void requestEnded(String method, int status, RequestOutcome outcome, long durationNanos) {
			TunnelStatistics.this.activeRequests.decrementAndGet();
			TunnelStatistics.this.requests.increment();
			List<TunnelObserver> observers = TunnelStatistics.this.observers;
			if (observers.isEmpty()) {
				return;
			}
			TunnelRequest request = new TunnelRequest(STANDARD_METHODS.contains(method) ? method : "OTHER", status,
					outcome, Duration.ofNanos(durationNanos));
			for (TunnelObserver observer : observers) {
				try {
					observer.requestCompleted(request);
				}
				catch (RuntimeException ex) {
					logger.warn("Tunnel observer {} failed on a request", observer, ex);
				}
			}
		}

		@Override
		public void reconnecting(int connection, ReconnectReason reason) {
			TunnelStatistics.this.reconnects.get(reason).increment();
			for (TunnelObserver observer : TunnelStatistics.this.observers) {
				try {
					observer.reconnecting(connection, reason);
				}
				catch (RuntimeException ex) {
					logger.warn("Tunnel observer {} failed on a reconnect", observer, ex);
				}
			}
		}

		@Override
		public void bytesReceived(long bytes) {
			TunnelStatistics.this.bytesReceived.add(bytes);
		}

		@Override
		public void bytesSent(long bytes) {
			TunnelStatistics.this.bytesSent.add(bytes);
		}

	}

}
