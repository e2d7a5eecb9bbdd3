package dev.warp.agent;

import java.time.Duration;
import java.util.List;

import dev.warp.agent.connection.ConnectionSnapshot;
import dev.warp.agent.connection.ConnectionState;
import dev.warp.agent.connection.Readiness;
import dev.warp.agent.connection.TunnelContext;
import dev.warp.agent.connection.TunnelServer;
import dev.warp.agent.connection.TunnelTls;
import dev.warp.agent.observation.TunnelStatistics;
import dev.warp.agent.supervisor.TunnelSupervisor;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

import org.springframework.http.server.reactive.HttpHandler;

/**
 * A tunnel: serves an application's {@link HttpHandler} to the edge over outbound HTTP/2
 * connections, for one hostname. The entry point of the agent; no Spring Boot needed.
 *
 * <pre class="code">
 * WarpTunnel tunnel = new WarpTunnel(TunnelSettings.builder("shop.example.test")
 *         .caCertificate(Path.of("ca.pem")).build(), httpHandler);
 * tunnel.start();
 * ...
 * tunnel.stop().block();
 * </pre>
 */
public final class WarpTunnel {

	private static final Log logger = LogFactory.getLog(WarpTunnel.class);

	private final TunnelSettings settings;

	private final HttpHandler handler;

	private final SslContext sslContext;

	private final TunnelStatistics statistics = new TunnelStatistics();

	private final Readiness readiness = new Readiness();

	private volatile @Nullable Running running;

	/**
	 * Creates a tunnel, not yet started.
	 * @throws TunnelTls.InvalidCaCertificateException if the edge CA certificate cannot be used
	 */
	public WarpTunnel(TunnelSettings settings, HttpHandler handler) {
		this.settings = settings;
		this.handler = handler;
		this.sslContext = TunnelTls.clientContext(settings.caCertificate());
	}

	/** Starts dialling; returns at once. Connections register in the background. */
	public synchronized void start() {
		if (this.running != null) {
			return;
		}
		int threads = Math.max(1, Math.min(this.settings.connections(), Runtime.getRuntime().availableProcessors()));
		LoopResources loops = LoopResources.create("warp-tunnel", threads, true);
		EventLoopGroup group = loops.onClient(true);
		TunnelContext context = new TunnelContext(this.settings, this.sslContext,
				new TunnelServer(this.handler, this.statistics), group, loops.onChannelClass(SocketChannel.class, group),
				this.statistics, this.readiness);
		TunnelSupervisor supervisor = new TunnelSupervisor(context);
		this.running = new Running(loops, supervisor);
		supervisor.start();
	}

	/** Completes once at least one connection is registered at an edge. */
	public Mono<Void> registered() {
		Running current = this.running;
		return (current != null) ? current.supervisor.firstRegistration()
				: Mono.error(new IllegalStateException("The tunnel is not started"));
	}

	/** Drains and closes every connection within the configured grace period. */
	public Mono<Void> stop() {
		return stop(this.settings.gracePeriod());
	}

	/**
	 * Tells the edge to send no new requests, lets in-flight ones finish for up to the grace
	 * period, then closes every connection and releases the event loops.
	 */
	public Mono<Void> stop(Duration gracePeriod) {
		Running current;
		synchronized (this) {
			current = this.running;
			this.running = null;
		}
		if (current == null) {
			return Mono.empty();
		}
		return current.supervisor.stop(gracePeriod)
			.then(current.loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)))
			.doOnTerminate(() -> logger.info("Tunnel for " + this.settings.hostname() + " closed"));
	}

	/**
	 * Replaces every connection, each new one registered before its old one drains: no request
	 * is lost. For an operator who wants the tunnel to pick its edges afresh.
	 */
	public void reconnect() {
		Running current = this.running;
		if (current != null) {
			current.supervisor.reconnectAll("reconnect requested");
		}
	}

	public boolean isRunning() {
		return this.running != null;
	}

	/**
	 * Tells the edge whether to send new requests to this application: while it refuses
	 * traffic, every connection stays open and registered, but the edge routes the hostname to
	 * other replicas only (or answers 503 when there is none). Connections opened meanwhile
	 * register as refusing traffic. A tunnel accepts traffic from the start.
	 * @param accepting whether the application accepts traffic
	 */
	public void acceptTraffic(boolean accepting) {
		if (this.readiness.acceptTraffic(accepting)) {
			logger.info("Tunnel for " + this.settings.hostname() + (accepting ? " accepts traffic again"
					: " refuses traffic: the edge sends no new requests here, connections stay open"));
		}
	}

	/** Whether the edge is told to send new requests here; see {@link #acceptTraffic(boolean)}. */
	public boolean isAcceptingTraffic() {
		return this.readiness.isAcceptingTraffic();
	}

	/**
	 * The tunnel's running totals (requests, bytes, reconnects), over its whole life. Observers
	 * added there are told about every request and reconnect.
	 */
	public TunnelStatistics statistics() {
		return this.statistics;
	}

	public TunnelSettings settings() {
		return this.settings;
	}

	/** Every connection slot, as it stands now. */
	public List<ConnectionSnapshot> connections() {
		Running current = this.running;
		return (current != null) ? current.supervisor.snapshots() : List.of();
	}

	/** Connections registered at an edge right now. */
	public long registeredConnections() {
		return connections().stream().filter((c) -> c.state() == ConnectionState.REGISTERED).count();
	}

	private record Running(LoopResources loops, TunnelSupervisor supervisor) {
	}

}
