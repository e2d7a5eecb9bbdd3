package dev.warp.edge.pki;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.edge.EdgeSettings.PublicTls;
import dev.warp.edge.acme.AcmeCertificates;
import dev.warp.edge.acme.AcmeHttpChallenges;
import dev.warp.edge.acme.AcmeTlsChallenges;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;

/**
 * What the TLS public listener presents, chosen at each handshake by the name the visitor asks
 * for (SNI): the hostname's certificate from the ACME CA when there is one; else the operator's
 * certificate; else, with ACME on, one ordered now for a hostname within the tokens' zones,
 * waited for a bounded time; else the fallback, which the edge's CA issues for the configured
 * names and the zones of the account tokens. An issued fallback follows the tokens: a visitor who
 * asks for a name of a zone that a token created since gained gets it re-issued to cover it,
 * without a restart.
 */
public final class PublicCertificates {

	private static final Logger logger = LoggerFactory.getLogger(PublicCertificates.class);

	private final PublicTls tls;

	private final CertificateAuthority authority;

	private final Supplier<? extends Collection<String>> zones;

	private final @Nullable AcmeCertificates acme;

	private volatile ServedCertificate presented;

	private PublicCertificates(PublicTls tls, CertificateAuthority authority, Supplier<? extends Collection<String>> zones,
			@Nullable AcmeCertificates acme) {
		this.tls = tls;
		this.authority = authority;
		this.zones = zones;
		this.acme = acme;
		this.presented = present(PublicCertificate.of(tls, authority, zones.get()));
	}

	/**
	 * The certificates of a TLS public listener.
	 * @param zones the zones of the account tokens now; asked again when a visitor names a host
	 * the certificate does not cover
	 * @throws IllegalStateException when configured files cannot be read
	 */
	public static PublicCertificates of(PublicTls tls, CertificateAuthority authority,
			Supplier<? extends Collection<String>> zones) {
		return new PublicCertificates(tls, authority, zones, null);
	}

	/**
	 * The certificates of a TLS public listener that presents ACME certificates first.
	 * @param acme the certificates from the ACME CA, or {@code null} for none
	 * @see #of(PublicTls, CertificateAuthority, Supplier)
	 */
	public static PublicCertificates of(PublicTls tls, CertificateAuthority authority,
			Supplier<? extends Collection<String>> zones, @Nullable AcmeCertificates acme) {
		return new PublicCertificates(tls, authority, zones, acme);
	}

	/** The names the fallback certificate covers, as its subject alternative names list them. */
	public List<String> names() {
		return this.presented.names();
	}

	/** Answers ACME HTTP-01 challenges on the cleartext listener ({@link AcmeHttpChallenges#NONE} without ACME). */
	public AcmeHttpChallenges httpChallenges() {
		return (this.acme != null) ? this.acme.httpChallenges() : AcmeHttpChallenges.NONE;
	}

	/** Answers ACME TLS-ALPN-01 challenges on the TLS listener, or {@code null} without ACME. */
	public @Nullable AcmeTlsChallenges tlsChallenges() {
		return (this.acme != null) ? this.acme.tlsChallenges() : null;
	}

	/**
	 * The certificate for a handshake that names {@code hostname} (SNI), in the shape of Netty's
	 * {@code AsyncMapping<String, SslContext>}, for its {@code SniHandler}. Completes at once, or
	 * within the ACME handshake wait when a certificate is being ordered; never on the event loop's
	 * time: the token store is read and certificates issued elsewhere.
	 */
	public Future<SslContext> select(@Nullable String hostname, Promise<SslContext> promise) {
		choose(hostname, (served) -> promise.trySuccess(served.context()));
		return promise;
	}

	private void choose(@Nullable String hostname, Consumer<ServedCertificate> then) {
		AcmeCertificates certificates = this.acme;
		if (certificates != null && hostname != null) {
			ServedCertificate issued = certificates.current(hostname);
			if (issued != null) {
				then.accept(issued);
				return;
			}
			if (this.tls.certificateFile() == null || !covers(this.presented.names(), hostname)) {
				certificates.obtain(hostname)
					.copy()
					.orTimeout(certificates.handshakeWait().toNanos(), TimeUnit.NANOSECONDS)
					.whenComplete((served, ex) -> {
						if (served != null) {
							then.accept(served);
						}
						else {
							fallback(hostname, then);
						}
					});
				return;
			}
		}
		fallback(hostname, then);
	}

	private void fallback(@Nullable String hostname, Consumer<ServedCertificate> then) {
		ServedCertificate now = this.presented;
		if (hostname == null || this.tls.certificateFile() != null || covers(now.names(), hostname)) {
			then.accept(now);
			return;
		}
		// Reading the token store and issuing stay off the event loop.
		Schedulers.boundedElastic().schedule(() -> {
			try {
				then.accept(followTokens());
			}
			catch (RuntimeException ex) {
				logger.warn("Cannot re-issue the public TLS certificate: {}", ex.getMessage());
				then.accept(now);
			}
		});
	}

	/** The certificate for the names and the zones of the tokens now, re-issued if they changed. */
	private synchronized ServedCertificate followTokens() {
		ServedCertificate now = this.presented;
		Set<String> zones = new LinkedHashSet<>(this.zones.get());
		List<String> added = new ArrayList<>();
		for (String zone : zones) {
			if (!now.names().contains(zone)) {
				added.add(zone);
			}
		}
		if (added.isEmpty()) {
			return now;
		}
		ServedCertificate next = present(PublicCertificate.of(this.tls, this.authority, zones));
		this.presented = next;
		logger.info("Public TLS certificate re-issued for {}: a token added the zone(s) {}", next.names(), added);
		return next;
	}

	private static ServedCertificate present(PublicCertificate certificate) {
		return ServedCertificate.of(certificate.privateKey(), certificate.chain());
	}

	static boolean covers(List<String> names, String hostname) {
		String host = hostname.toLowerCase(Locale.ROOT);
		for (String name : names) {
			String lower = name.toLowerCase(Locale.ROOT);
			if (lower.equals(host)) {
				return true;
			}
			if (lower.startsWith("*.") && host.endsWith(lower.substring(1))
					&& host.indexOf('.') == host.length() - lower.length() + 1) {
				return true;
			}
		}
		return false;
	}

}
