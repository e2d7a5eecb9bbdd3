package dev.warp.edge.acme;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.warp.edge.AcmeSettings;
import dev.warp.edge.pki.ServedCertificate;
import dev.warp.edge.provisioning.Zones;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's certificates from an ACME CA, one per hostname: obtained when an agent registers
 * the hostname ({@link #want}) or at the first handshake naming it ({@link #obtain}), only for
 * hostnames within the zones of the account tokens, so that no visitor can make the edge spend
 * the CA's rate limits on names of its choosing. Each is stored in the data directory, served
 * again after a restart, and renewed with a third of its lifetime left; the old one is served
 * until the new one is in place. A failed order is retried after a back-off that doubles per
 * failure; meanwhile handshakes get the fallback certificate at once, without asking the CA.
 *
 * <p>Orders run on a small executor of their own: acme4j blocks, and never on an event loop.
 */
public final class AcmeCertificates implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(AcmeCertificates.class);

	/** How often a node looks for the certificate another node of the cluster is ordering. */
	private static final Duration SHARE_POLL = Duration.ofMillis(500);

	private final AcmeSettings settings;

	private final Supplier<? extends Collection<String>> zones;

	private final AcmeAccount account;

	private final CertificateFiles files;

	private final AcmeHttpChallenges http;

	private final AcmeTlsChallenges tls;

	private final CertificateOrder order;

	private final ScheduledExecutorService executor;

	/** The cluster's certificates, or {@link CertificateShare#NONE} for a node that stands alone. */
	private final CertificateShare share;

	private final Map<String, Held> held = new ConcurrentHashMap<>();

	private final Map<String, CompletableFuture<ServedCertificate>> pending = new ConcurrentHashMap<>();

	private final Map<String, Failure> failures = new ConcurrentHashMap<>();

	/** Hostnames agents registered: ordered again after a failure, without waiting for a visitor. */
	private final Set<String> wanted = ConcurrentHashMap.newKeySet();

	private final AtomicLong issued = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private AcmeCertificates(AcmeSettings settings, Path dataDir, Supplier<? extends Collection<String>> zones,
			CertificateShare share) {
		this.settings = settings;
		this.share = share;
		this.zones = zones;
		Path directory = dataDir.resolve("acme");
		this.account = AcmeAccount.loadOrCreate(settings, directory.resolve("account-key.pem"));
		this.files = new CertificateFiles(directory);
		this.http = AcmeHttpChallenges.create(share, settings.orderTimeout());
		this.tls = new AcmeTlsChallenges(share, settings.orderTimeout());
		this.order = new CertificateOrder(settings.challenges(), settings.orderTimeout(), this.http, this.tls);
		AtomicInteger threads = new AtomicInteger();
		this.executor = Executors.newScheduledThreadPool(2, (task) -> {
			Thread thread = new Thread(task, "warp-acme-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Starts with the certificates stored in the data directory, each renewed when due.
	 * @param zones the zones of the account tokens now: the hostnames a certificate may be ordered for
	 * @param clusterRedisUrl the Redis of the node's cluster, where the nodes share certificates, or
	 * {@code null} for a node that stands alone
	 * @param nodeId the node's id, which holds the lock of a hostname it orders
	 * @throws IllegalStateException when the cluster's Redis cannot be reached
	 */
	public static AcmeCertificates start(AcmeSettings settings, Path dataDir, Supplier<? extends Collection<String>> zones,
			@Nullable String clusterRedisUrl, String nodeId) {
		CertificateShare share = (clusterRedisUrl != null) ? RedisCertificateShare.connect(clusterRedisUrl, nodeId)
				: CertificateShare.NONE;
		AcmeCertificates certificates = new AcmeCertificates(settings, dataDir, zones, share);
		for (IssuedCertificate stored : certificates.files.readAll()) {
			certificates.hold(stored);
		}
		return certificates;
	}

	/** Answers HTTP-01 challenges on the cleartext listener. */
	public AcmeHttpChallenges httpChallenges() {
		return this.http;
	}

	/** Answers TLS-ALPN-01 challenges on the TLS listener, through {@link AcmeClientHello}. */
	public AcmeTlsChallenges tlsChallenges() {
		return this.tls;
	}

	/** How long a handshake waits for a certificate being ordered before the fallback is presented. */
	public Duration handshakeWait() {
		return this.settings.handshakeWait();
	}

	/** The certificate to present for a hostname now, or {@code null} when the CA issued none yet. */
	public @Nullable ServedCertificate current(String hostname) {
		Held now = this.held.get(Zones.normalize(hostname));
		return (now != null && now.certificate().validAt(Instant.now())) ? now.served() : null;
	}

	/** An agent registered the hostname: its certificate is ordered now unless held, and again after failures. */
	public void want(String hostname) {
		String name = Zones.normalize(hostname);
		if (this.wanted.add(name) && current(name) == null) {
			obtain(name);
		}
	}

	/**
	 * The hostname's certificate: the one held, else one ordered now (or the order under way).
	 * Fails at once, without asking the CA, for a hostname outside every zone or still in its
	 * back-off after a failed order.
	 */
	public CompletableFuture<ServedCertificate> obtain(String hostname) {
		ServedCertificate now = current(hostname);
		return (now != null) ? CompletableFuture.completedFuture(now) : order(Zones.normalize(hostname), false);
	}

	private CompletableFuture<ServedCertificate> order(String hostname, boolean renewal) {
		return this.pending.computeIfAbsent(hostname, (name) -> {
			CompletableFuture<ServedCertificate> future = new CompletableFuture<>();
			this.executor.execute(() -> run(name, renewal, future));
			return future;
		});
	}

	private void run(String hostname, boolean renewal, CompletableFuture<ServedCertificate> future) {
		boolean settled = true;
		try {
			if (!Zones.isValid(hostname) || !Zones.anyCovers(this.zones.get(), hostname)) {
				future.completeExceptionally(new AcmeRefusedException(hostname + " is within no zone of the edge's tokens"));
				return;
			}
			Failure failure = this.failures.get(hostname);
			if (failure != null && Instant.now().isBefore(failure.retryAt())) {
				future.completeExceptionally(new AcmeRefusedException("the last order of " + hostname + " failed ("
						+ failure.message() + "); the next is due at " + failure.retryAt()));
				return;
			}
			Held before = this.held.get(hostname);
			if (!renewal && before != null && before.certificate().validAt(Instant.now())) {
				future.complete(before.served());
				return;
			}
			IssuedCertificate shared = shared(hostname, before);
			if (shared != null) {
				this.files.write(shared);
				this.failures.remove(hostname);
				logger.info("ACME certificate for {} from another node of the cluster, valid until {}", hostname,
						shared.notAfter());
				future.complete(hold(shared));
				return;
			}
			if (!this.share.lock(hostname, this.settings.orderTimeout().multipliedBy(2))) {
				// Another node is ordering it: its certificate is looked for again shortly.
				settled = false;
				this.executor.schedule(() -> run(hostname, renewal, future), SHARE_POLL.toMillis(), TimeUnit.MILLISECONDS);
				return;
			}
			try {
				future.complete(issue(hostname, before));
			}
			finally {
				this.share.unlock(hostname);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			future.completeExceptionally(ex);
		}
		catch (Exception ex) {
			failed(hostname, ex);
			future.completeExceptionally(ex);
		}
		finally {
			if (settled) {
				this.pending.remove(hostname, future);
			}
		}
	}

	private ServedCertificate issue(String hostname, @Nullable Held before) throws Exception {
		long started = System.nanoTime();
		IssuedCertificate certificate = this.order.issue(this.account.account(), hostname);
		this.files.write(certificate);
		this.share.write(hostname, certificate.toPem());
		ServedCertificate served = hold(certificate);
		this.failures.remove(hostname);
		this.issued.incrementAndGet();
		logger.info("ACME certificate {} for {} in {} ms, valid until {}, renewed from {}",
				(before != null) ? "renewed" : "issued", hostname,
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), certificate.notAfter(), certificate.renewAt());
		return served;
	}

	/**
	 * The certificate another node of the cluster shared for the hostname, when it is newer than
	 * the one held and not due for renewal yet; else {@code null}.
	 */
	private @Nullable IssuedCertificate shared(String hostname, @Nullable Held before) {
		String pem = this.share.read(hostname);
		if (pem == null) {
			return null;
		}
		try {
			IssuedCertificate shared = PemBundle.parse(pem).certificate(hostname);
			boolean newer = before == null || shared.notAfter().isAfter(before.certificate().notAfter());
			return (newer && Instant.now().isBefore(shared.renewAt())) ? shared : null;
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Cannot read the ACME certificate of {} shared in the cluster: {}", hostname, ex.getMessage());
			return null;
		}
	}

	private ServedCertificate hold(IssuedCertificate certificate) {
		ServedCertificate served = ServedCertificate.of(certificate.privateKey(), certificate.chain());
		this.held.put(certificate.hostname(), new Held(certificate, served));
		retryAt(certificate.hostname(), certificate.renewAt(), true);
		return served;
	}

	private void failed(String hostname, Exception ex) {
		this.failed.incrementAndGet();
		Failure previous = this.failures.get(hostname);
		Duration delay = (previous == null) ? this.settings.retryBackoff()
				: min(previous.delay().multipliedBy(2), this.settings.maxRetryBackoff());
		Instant retryAt = Instant.now().plus(delay);
		String message = describe(ex);
		this.failures.put(hostname, new Failure(retryAt, delay, message, Instant.now()));
		Held still = this.held.get(hostname);
		logger.warn("ACME order for {} failed: {}; {}, next attempt in {} s", hostname, message,
				(still != null) ? "its certificate valid until " + still.certificate().notAfter() + " is served meanwhile"
						: "the fallback certificate is served meanwhile",
				delay.toSeconds());
		if (still != null || this.wanted.contains(hostname)) {
			retryAt(hostname, retryAt, still != null);
		}
	}

	private void retryAt(String hostname, Instant when, boolean renewal) {
		// A millisecond late rather than early: the back-off refuses an order before its time.
		long delay = Math.max(0, Duration.between(Instant.now(), when).toMillis() + 1);
		this.executor.schedule(() -> {
			Held now = this.held.get(hostname);
			boolean due = (now == null) || !Instant.now().isBefore(now.certificate().renewAt());
			if (due) {
				order(hostname, renewal);
			}
		}, delay, TimeUnit.MILLISECONDS);
	}

	/** The exception's message and its causes', which say what the CA or the network answered. */
	private static String describe(Throwable ex) {
		StringBuilder message = new StringBuilder(String.valueOf(ex.getMessage()));
		for (Throwable cause = ex.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
			message.append(": ").append(cause.getMessage());
		}
		return message.toString();
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	/** Certificates issued (or renewed) since the start. */
	public long issuedCount() {
		return this.issued.get();
	}

	/** Orders failed since the start. */
	public long failedCount() {
		return this.failed.get();
	}

	/** Certificates held now. */
	public int heldCount() {
		return this.held.size();
	}

	/** What {@code /status} shows: every hostname with a certificate or a failed order, by name. */
	public List<Status> status() {
		List<Status> statuses = new ArrayList<>();
		Set<String> names = new TreeSet<>(this.held.keySet());
		names.addAll(this.failures.keySet());
		for (String name : names) {
			Held now = this.held.get(name);
			Failure failure = this.failures.get(name);
			statuses.add(new Status(name, (now != null) ? now.certificate().notAfter() : null,
					(now != null) ? now.certificate().renewAt() : null, (failure != null) ? failure.message() : null,
					(failure != null) ? failure.retryAt() : null));
		}
		return statuses;
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
		this.share.close();
	}

	/**
	 * One hostname's ACME state.
	 * @param hostname the name
	 * @param notAfter when its certificate expires, or {@code null} for none
	 * @param renewAt when it is renewed, or {@code null}
	 * @param lastError why its last order failed, or {@code null} when it did not
	 * @param retryAt when a failed order is tried again, or {@code null}
	 */
	public record Status(String hostname, @Nullable Instant notAfter, @Nullable Instant renewAt,
			@Nullable String lastError, @Nullable Instant retryAt) {
	}

	private record Held(IssuedCertificate certificate, ServedCertificate served) {
	}

	private record Failure(Instant retryAt, Duration delay, String message, Instant at) {
	}

}
