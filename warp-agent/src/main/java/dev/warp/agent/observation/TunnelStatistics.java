package dev.warp.agent.observation;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running totals of one tunnel, over its whole life (restarts included), and the observers
 * it tells about each event. Readable from any thread at any time; the recording methods are
 * called by the agent itself.
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

	public TunnelStatistics() {
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

	/** Records a request that starts; pair with {@link #requestEnded}. */
	public void requestStarted() {
		this.activeRequests.incrementAndGet();
	}

	/**
	 * Records a request that ended.
	 * @param method its HTTP method
	 * @param status the status sent, or {@code -1} for none
	 * @param outcome how it ended
	 * @param durationNanos how long it took
	 */
	public void requestEnded(String method, int status, RequestOutcome outcome, long durationNanos) {
		this.activeRequests.decrementAndGet();
		this.requests.increment();
		if (this.observers.isEmpty()) {
			return;
		}
		TunnelRequest request = new TunnelRequest(STANDARD_METHODS.contains(method) ? method : "OTHER", status, outcome,
				Duration.ofNanos(durationNanos));
		for (TunnelObserver observer : this.observers) {
			try {
				observer.requestCompleted(request);
			}
			catch (RuntimeException ex) {
				logger.warn("Tunnel observer {} failed on a request", observer, ex);
			}
		}
	}

	/** Records a connection being replaced. */
	public void reconnecting(int connection, ReconnectReason reason) {
		this.reconnects.get(reason).increment();
		for (TunnelObserver observer : this.observers) {
			try {
				observer.reconnecting(connection, reason);
			}
			catch (RuntimeException ex) {
				logger.warn("Tunnel observer {} failed on a reconnect", observer, ex);
			}
		}
	}

	public void bytesReceived(long bytes) {
		this.bytesReceived.add(bytes);
	}

	public void bytesSent(long bytes) {
		this.bytesSent.add(bytes);
	}

}
