package dev.warp.autoconfigure.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.warp.agent.ConnectionSnapshot;
import dev.warp.agent.ConnectionState;
import dev.warp.agent.OriginCredentials;
import dev.warp.agent.ReconnectReason;
import dev.warp.agent.TunnelObserver;
import dev.warp.agent.TunnelRequest;
import dev.warp.agent.TunnelStatistics;
import dev.warp.agent.WarpTunnel;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer metrics of a {@link WarpTunnel}:
 * <ul>
 * <li>{@code warp.tunnel.connections} (gauge, tag {@code state}): connection slots per state</li>
 * <li>{@code warp.tunnel.requests} (timer, tags {@code method}, {@code status},
 * {@code outcome}): tunneled requests, from the stream's arrival to the end of the response</li>
 * <li>{@code warp.tunnel.active.requests} (gauge): requests being served</li>
 * <li>{@code warp.tunnel.reconnects} (counter, tag {@code reason}): connections replaced</li>
 * <li>{@code warp.tunnel.rtt} (time gauge, tag {@code connection}): the last heartbeat round
 * trip of each connection slot; NaN while not measured</li>
 * <li>{@code warp.tunnel.bytes} (counter, tag {@code direction}: {@code received},
 * {@code sent}): bytes on the tunnel connections' sockets</li>
 * <li>{@code warp.tunnel.certificate.expiry} (time gauge): time left until the origin
 * certificate in use expires; NaN without one. Renewal runs after two thirds of its life, so a
 * value below a third of the lifetime means renewal is failing</li>
 * <li>{@code warp.tunnel.certificate.failures} (counter): failed attempts to obtain or renew the
 * origin certificate</li>
 * </ul>
 * The counts come from the tunnel's {@link TunnelStatistics}; request timings from its events.
 */
public class WarpTunnelMetrics implements MeterBinder, TunnelObserver {

	private final WarpTunnel tunnel;

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	/** Request timers by registry and tags: registering a meter per request would cost more than serving it. */
	private final Map<RequestTimerKey, Timer> requestTimers = new ConcurrentHashMap<>();

	public WarpTunnelMetrics(WarpTunnel tunnel) {
		this.tunnel = tunnel;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		TunnelStatistics statistics = this.tunnel.statistics();
		for (ConnectionState state : ConnectionState.values()) {
			Gauge.builder("warp.tunnel.connections", this.tunnel, (tunnel) -> count(tunnel, state))
				.description("Tunnel connections in a state")
				.tag("state", state.displayName())
				.register(registry);
		}
		Gauge.builder("warp.tunnel.active.requests", statistics, TunnelStatistics::activeRequests)
			.description("Tunneled requests being served")
			.register(registry);
		for (ReconnectReason reason : ReconnectReason.values()) {
			FunctionCounter.builder("warp.tunnel.reconnects", statistics, (s) -> s.reconnects(reason))
				.description("Tunnel connections replaced by a new one")
				.tag("reason", reason.tagValue())
				.register(registry);
		}
		FunctionCounter.builder("warp.tunnel.bytes", statistics, TunnelStatistics::bytesReceived)
			.description("Bytes on the tunnel connections' sockets")
			.baseUnit(BaseUnits.BYTES)
			.tag("direction", "received")
			.register(registry);
		FunctionCounter.builder("warp.tunnel.bytes", statistics, TunnelStatistics::bytesSent)
			.description("Bytes on the tunnel connections' sockets")
			.baseUnit(BaseUnits.BYTES)
			.tag("direction", "sent")
			.register(registry);
		for (int i = 0; i < this.tunnel.settings().connections(); i++) {
			int index = i;
			TimeGauge.builder("warp.tunnel.rtt", this.tunnel, TimeUnit.MILLISECONDS, (tunnel) -> rttMillis(tunnel, index))
				.description("Round-trip time of the last heartbeat of a tunnel connection")
				.tag("connection", Integer.toString(index))
				.register(registry);
		}
		TimeGauge.builder("warp.tunnel.certificate.expiry", this.tunnel, TimeUnit.SECONDS,
				WarpTunnelMetrics::secondsUntilExpiry)
			.description("Time left until the tunnel's origin certificate expires")
			.register(registry);
		FunctionCounter.builder("warp.tunnel.certificate.failures", this.tunnel, WarpTunnel::provisioningFailures)
			.description("Failed attempts to obtain or renew the tunnel's origin certificate")
			.register(registry);
		if (this.registries.isEmpty()) {
			statistics.addObserver(this);
		}
		this.registries.add(registry);
	}

	@Override
	public void requestCompleted(TunnelRequest request) {
		for (MeterRegistry registry : this.registries) {
			RequestTimerKey key = new RequestTimerKey(registry, request.method(), request.statusTag(),
					request.outcome().name());
			this.requestTimers.computeIfAbsent(key, (tags) -> Timer.builder("warp.tunnel.requests")
				.description("Requests served through the tunnel")
				.tag("method", tags.method())
				.tag("status", tags.status())
				.tag("outcome", tags.outcome())
				.register(tags.registry())).record(request.duration());
		}
	}

	private static double secondsUntilExpiry(WarpTunnel tunnel) {
		OriginCredentials credentials = tunnel.credentials();
		return (credentials != null) ? Duration.between(Instant.now(), credentials.notAfter()).toMillis() / 1000.0
				: Double.NaN;
	}

	private record RequestTimerKey(MeterRegistry registry, String method, String status, String outcome) {
	}

	private static double count(WarpTunnel tunnel, ConnectionState state) {
		return tunnel.connections().stream().filter((connection) -> connection.state() == state).count();
	}

	private static double rttMillis(WarpTunnel tunnel, int index) {
		for (ConnectionSnapshot connection : tunnel.connections()) {
			if (connection.index() == index && connection.state() == ConnectionState.REGISTERED
					&& connection.rttMillis() >= 0) {
				return connection.rttMillis();
			}
		}
		return Double.NaN;
	}

}
