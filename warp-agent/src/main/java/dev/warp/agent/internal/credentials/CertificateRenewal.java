package dev.warp.agent.internal.credentials;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.warp.agent.MissingTokenException;
import dev.warp.agent.OriginCredentials;
import dev.warp.agent.ProvisioningException;
import dev.warp.agent.internal.retry.Backoff;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Keeps the tunnel supplied with valid origin credentials: reuses those on disk when they still
 * serve the hostname under the trusted CA, otherwise obtains new ones from the provisioning API;
 * then renews them after two thirds of their life, retrying with backoff when the edge cannot be
 * reached or refuses. Every failure is logged once (again only when it changes), counted, and
 * retried; the credentials in use stay until they expire.
 */
public final class CertificateRenewal {

	private static final Logger logger = LoggerFactory.getLogger(CertificateRenewal.class);

	private final String hostname;

	private final @Nullable String token;

	private final CredentialsStore store;

	private final ProvisioningClient client;

	private final EdgeTrust trust;

	private final Backoff backoff;

	private final Consumer<OriginCredentials> onCredentials;

	private final Clock clock;

	private final Sinks.One<Void> firstOutcome = Sinks.one();

	private final AtomicLong failures = new AtomicLong();

	private volatile @Nullable OriginCredentials current;

	private volatile @Nullable Disposable pending;

	private volatile boolean stopped;

	private @Nullable String lastFailure;

	/** Credentials the application holds itself: used as they are, never stored nor renewed. */
	private volatile @Nullable OriginCredentials given;

	/** A still valid certificate on disk, used should no new one be obtained. */
	private volatile @Nullable OriginCredentials fallback;

	/**
	 * @param token the account token, or {@code null}: then only credentials already on disk can be used
	 * @param onCredentials told about each new set of credentials, the first included
	 */
	public CertificateRenewal(String hostname, @Nullable String token, CredentialsStore store, ProvisioningClient client,
			EdgeTrust trust, Backoff backoff, Consumer<OriginCredentials> onCredentials, Clock clock) {
		this.hostname = hostname;
		this.token = token;
		this.store = store;
		this.client = client;
		this.trust = trust;
		this.backoff = backoff;
		this.onCredentials = onCredentials;
		this.clock = clock;
	}

	/**
	 * Uses the credentials on disk, or starts obtaining new ones; returns at once.
	 * @throws dev.warp.agent.CredentialsDirectoryException when the credentials directory cannot be written
	 * @throws MissingTokenException when there are no usable credentials and no token
	 */
	public void start() {
		this.store.checkWritable();
		OriginCredentials onDisk = this.store.load();
		// The CA came with the origin certificate: a restart needs no fetch.
		if (!this.trust.isKnown() && (onDisk == null || !this.trust.learn(onDisk.chain()))) {
			logger.info("Fetching the edge CA from {}, trusted only if it matches the token's pin {}",
					this.client.url(), this.trust.pin());
			fetchCa();
			return;
		}
		useOrProvision(onDisk);
	}

	/**
	 * Uses credentials the application holds itself instead of the credentials directory and the
	 * token; they are never stored nor renewed. Returns at once.
	 */
	public void startWith(OriginCredentials credentials) {
		this.given = credentials;
		if (!this.trust.isKnown() && !this.trust.learn(credentials.chain())) {
			logger.info("Fetching the edge CA from {}, trusted only if it matches the token's pin {}",
					this.client.url(), this.trust.pin());
			fetchCa();
			return;
		}
		useGiven(credentials);
	}

	private void useGiven(OriginCredentials credentials) {
		String problem = credentials.problemFor(this.hostname, this.clock.instant());
		if (problem == null && !credentials.isIssuedBy(this.trust.certificates())) {
			problem = "it was not issued by the trusted edge CA";
		}
		if (problem != null) {
			logger.warn("The origin certificate {} the application gives for {} is likely refused by the edge: {}",
					credentials.serial(), this.hostname, problem);
		}
		else {
			logger.info("Using the origin certificate {} the application gives for {}, valid until {}; the tunnel "
					+ "does not renew it", credentials.serial(), this.hostname, credentials.notAfter());
		}
		this.current = credentials;
		this.onCredentials.accept(credentials);
		this.firstOutcome.tryEmitEmpty();
	}

	private void useOrProvision(@Nullable OriginCredentials onDisk) {
		String problem = (onDisk != null) ? onDisk.problemFor(this.hostname, this.clock.instant())
				: "none in " + this.store.directory() + " yet";
		boolean hasToken = this.token != null && !this.token.isBlank();
		if (onDisk != null && problem == null && !onDisk.isIssuedBy(this.trust.certificates())) {
			if (hasToken) {
				problem = "the one on disk was issued by another CA than the trusted edge CA";
				// Kept meanwhile: when it is the trusted CA that is wrong, the tunnel says so.
				this.fallback = onDisk;
			}
			else {
				logger.warn("The origin certificate in {} was not issued by the trusted edge CA "
						+ "(warp.edge.ca-certificate); the edge will likely refuse it. Set warp.token to obtain a "
						+ "new one.",
						this.store.directory());
			}
		}
		if (onDisk != null && problem == null) {
			logger.info("Using origin certificate {} for {} from {}, valid until {}, renewed from {}",
					onDisk.serial(), this.hostname, this.store.directory(), onDisk.notAfter(), onDisk.renewAt());
			accept(onDisk);
			return;
		}
		if (!hasToken) {
			throw new MissingTokenException(this.hostname, this.store.directory(), problem);
		}
		logger.info("Obtaining an origin certificate for {} from {} ({})", this.hostname, this.client.url(), problem);
		provision();
	}

	/**
	 * Completes when the first attempt to have credentials succeeded, or failed because the edge
	 * could not be reached (the agent keeps trying); fails with the {@link ProvisioningException}
	 * of an edge that refused.
	 */
	public Mono<Void> firstOutcome() {
		return this.firstOutcome.asMono();
	}

	/** The credentials in use, or {@code null} before there are any. */
	public @Nullable OriginCredentials current() {
		return this.current;
	}

	/** Failed attempts to obtain or renew a certificate, over the tunnel's life. */
	public long failures() {
		return this.failures.get();
	}

	/** Renews now, e.g. because an operator asked to. */
	public void renewNow() {
		cancelPending();
		provision();
	}

	public void stop() {
		this.stopped = true;
		cancelPending();
	}

	private void fetchCa() {
		this.pending = this.client.fetchCa(this.hostname).publishOn(Schedulers.boundedElastic()).subscribe(null,
				(error) -> failed((error instanceof ProvisioningException provisioning) ? provisioning
						: new ProvisioningException(ProvisioningException.Reason.EDGE_UNREACHABLE, this.client.url(),
								this.hostname, String.valueOf(error.getMessage()), error)),
				() -> {
					logger.info("Trusting the edge CA {} fetched from {}: it matches the token's pin",
							this.trust.certificates().get(0).getSubjectX500Principal(), this.client.url());
					this.backoff.reset();
					this.lastFailure = null;
					try {
						OriginCredentials given = this.given;
						if (given != null) {
							useGiven(given);
						}
						else {
							useOrProvision(this.store.load());
						}
					}
					catch (RuntimeException ex) {
						logger.error("Cannot obtain an origin certificate for {}: {}", this.hostname, ex.getMessage());
						this.firstOutcome.tryEmitError(ex);
					}
				});
	}

	private void provision() {
		if (this.stopped) {
			return;
		}
		if (!this.trust.isKnown()) {
			fetchCa();
			return;
		}
		String token = this.token;
		if (token == null || token.isBlank()) {
			OriginCredentials credentials = this.current;
			logger.warn("The origin certificate for {} is due for renewal but no account token (warp.token) is "
					+ "configured: it expires at {} and the tunnel goes down then. Set warp.token and restart the "
					+ "application.",
					this.hostname, ((credentials != null) ? credentials.notAfter() : "?"));
			return;
		}
		// Saving writes files: off the event loop the answer arrives on.
		Mono<OriginCredentials> provisioned = this.client.provision(this.hostname, token)
			.publishOn(Schedulers.boundedElastic());
		this.pending = provisioned.subscribe((credentials) -> {
			try {
				this.store.save(credentials);
			}
			catch (RuntimeException ex) {
				failed(new ProvisioningException(ProvisioningException.Reason.REQUEST_REJECTED, this.client.url(),
						this.hostname, "the new origin certificate cannot be saved: " + ex.getMessage(), ex));
				return;
			}
			logger.info("Obtained origin certificate {} for {}, valid until {}, saved in {}",
					credentials.serial(), this.hostname, credentials.notAfter(), this.store.directory());
			this.backoff.reset();
			this.lastFailure = null;
			accept(credentials);
		}, (error) -> failed((error instanceof ProvisioningException provisioning) ? provisioning
				: new ProvisioningException(ProvisioningException.Reason.EDGE_UNREACHABLE, this.client.url(), this.hostname,
						String.valueOf(error.getMessage()), error)));
	}

	private void accept(OriginCredentials credentials) {
		this.current = credentials;
		this.onCredentials.accept(credentials);
		this.firstOutcome.tryEmitEmpty();
		Duration untilRenewal = Duration.between(this.clock.instant(), credentials.renewAt());
		schedule(untilRenewal.isNegative() ? Duration.ZERO : untilRenewal);
	}

	private void failed(ProvisioningException error) {
		this.failures.incrementAndGet();
		OriginCredentials kept = this.fallback;
		if (kept != null && this.current == null && !error.isRefusal()) {
			logger.warn("Using the origin certificate {} in {} until a new one is obtained: it is still valid, "
					+ "though not issued by the trusted edge CA",
					kept.serial(), this.store.directory());
			this.fallback = null;
			this.current = kept;
			this.onCredentials.accept(kept);
		}
		if (error.isRefusal()) {
			this.firstOutcome.tryEmitError(error);
		}
		else {
			this.firstOutcome.tryEmitEmpty();
		}
		Duration delay = this.backoff.nextDelay();
		String message = error.getMessage();
		synchronized (this) {
			if (!Objects.equals(message, this.lastFailure)) {
				this.lastFailure = message;
				logger.warn("Cannot obtain an origin certificate for {}: {}; retrying, next attempt in {} ms",
						this.hostname, message, delay.toMillis());
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Origin certificate for {} still not obtained: {}", this.hostname, message);
			}
		}
		schedule(delay);
	}

	private void schedule(Duration delay) {
		if (this.stopped) {
			return;
		}
		this.pending = Mono.delay(delay).subscribe((tick) -> provision());
	}

	private void cancelPending() {
		Disposable disposable = this.pending;
		if (disposable != null) {
			disposable.dispose();
		}
	}

}
