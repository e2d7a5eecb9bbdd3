package dev.warp.agent;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.warp.agent.internal.connection.OriginTls;
import dev.warp.agent.internal.connection.Readiness;
import dev.warp.agent.internal.connection.TunnelContext;
import dev.warp.agent.internal.connection.TunnelServer;
import dev.warp.agent.internal.connection.TunnelTls;
import dev.warp.agent.internal.credentials.CertificateRenewal;
import dev.warp.agent.internal.credentials.CredentialsStore;
import dev.warp.agent.internal.credentials.EdgeTrust;
import dev.warp.agent.internal.credentials.ProvisioningClient;
import dev.warp.agent.internal.retry.Backoff;
import dev.warp.agent.internal.supervisor.TunnelSupervisor;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

import org.springframework.http.server.reactive.HttpHandler;

/**
 * A tunnel: serves an application's {@link HttpHandler} to the edge over outbound HTTP/2
 * connections, for one hostname. The entry point of the agent; no Spring Boot needed.
 *
 * <pre class="code">
 * WarpTunnel tunnel = new WarpTunnel(TunnelSettings.builder("shop.example.test")
 *         .caCertificate(Path.of("ca.pem")).token(accountToken).build(), httpHandler);
 * tunnel.start();
 * ...
 * tunnel.stop().block();
 * </pre>
 */
public final class WarpTunnel {

	private static final Logger logger = LoggerFactory.getLogger(WarpTunnel.class);

	private final TunnelSettings settings;

	private final HttpHandler handler;

	private final EdgeTrust trust;

	private final TunnelStatistics statistics = new TunnelStatistics();

	private final Readiness readiness = new Readiness();

	private volatile @Nullable Running running;

	/**
	 * Creates a tunnel, not yet started.
	 * @throws InvalidCaCertificateException if the edge CA certificate cannot be used
	 */
	public WarpTunnel(TunnelSettings settings, HttpHandler handler) {
		this.settings = settings;
		this.handler = handler;
		Path caFile = settings.caCertificate();
		this.trust = !settings.caCertificates().isEmpty() ? EdgeTrust.of(settings.caCertificates())
				: (caFile != null) ? EdgeTrust.of(TunnelTls.trustedCertificates(caFile))
				: EdgeTrust.pinned(Objects.requireNonNull(settings.caPin(), "caPin"));
	}

	/**
	 * Starts: uses the origin credentials the settings give, or those on disk, or obtains them
	 * from the edge's provisioning API with the account token, then dials. Returns at once; credentials and connections come
	 * in the background.
	 * @throws CredentialsDirectoryException when the credentials directory cannot be written
	 * @throws MissingTokenException when there are no usable credentials and no token
	 */
	public synchronized void start() {
		if (this.running != null) {
			return;
		}
		logger.info("Tunnel for {}: TLS by {}", this.settings.hostname(), TunnelTls.describeProvider());
		int threads = Math.max(1, Math.min(this.settings.connections(), Runtime.getRuntime().availableProcessors()));
		LoopResources loops = LoopResources.create("warp-tunnel", threads, true);
		EventLoopGroup group = loops.onClient(true);
		OriginTls tls = new OriginTls(this.trust);
		TunnelContext context = new TunnelContext(this.settings, tls, new TunnelServer(this.handler, this.statistics.recorder()),
				group, loops.onChannelClass(SocketChannel.class, group), this.statistics.recorder(), this.readiness);
		TunnelSupervisor supervisor = new TunnelSupervisor(context);
		AtomicBoolean dialling = new AtomicBoolean();
		CertificateRenewal renewal = new CertificateRenewal(this.settings.hostname(), this.settings.token(),
				new CredentialsStore(this.settings.credentialsDir(), this.settings.hostname()),
				new ProvisioningClient(this.settings.provisioningUrl(), this.trust, this.settings.connectTimeout(), loops),
				this.trust, new Backoff(this.settings.initialBackoff(), this.settings.maxBackoff()), (credentials) -> {
					tls.update(credentials);
					if (dialling.compareAndSet(false, true)) {
						supervisor.start();
					}
					else {
						// Make before break, one connection at a time: no request is lost.
						supervisor.replaceRegistered(ReconnectReason.CERTIFICATE_RENEWED,
								"origin certificate renewed (now " + credentials.serial() + ")");
					}
				}, Clock.systemUTC());
		this.running = new Running(loops, supervisor, renewal);
		try {
			OriginCredentials given = this.settings.originCredentials();
			if (given != null) {
				renewal.startWith(given);
			}
			else {
				renewal.start();
			}
		}
		catch (RuntimeException ex) {
			this.running = null;
			loops.dispose();
			throw ex;
		}
	}

	/**
	 * Completes when the tunnel has its first origin credentials, or the edge could not be
	 * reached for them (the tunnel keeps trying); fails with a
	 * {@link ProvisioningException} when the edge refused them.
	 */
	public Mono<Void> credentialsObtained() {
		Running current = this.running;
		return (current != null) ? current.renewal.firstOutcome()
				: Mono.error(new IllegalStateException("The tunnel is not started"));
	}

	/** The origin credentials in use, or {@code null} before there are any. */
	public @Nullable OriginCredentials credentials() {
		Running current = this.running;
		return (current != null) ? current.renewal.current() : null;
	}

	/** Failed attempts to obtain or renew the origin certificate since the tunnel started. */
	public long provisioningFailures() {
		Running current = this.running;
		return (current != null) ? current.renewal.failures() : 0;
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
		current.renewal.stop();
		return current.supervisor.stop(gracePeriod)
			.then(current.loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)))
			.doOnTerminate(() -> logger.info("Tunnel for {} closed", this.settings.hostname()));
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
			logger.info(accepting ? "Tunnel for {} accepts traffic again"
					: "Tunnel for {} refuses traffic: the edge sends no new requests here, connections stay open",
					this.settings.hostname());
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

	private record Running(LoopResources loops, TunnelSupervisor supervisor, CertificateRenewal renewal) {
	}

}
