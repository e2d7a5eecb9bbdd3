package dev.warp.edge;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Publicly trusted certificates for the TLS public listener from an ACME (RFC 8555) CA, such as
 * Let's Encrypt: one per hostname the edge serves, obtained when an agent registers it or at the
 * first handshake naming it, renewed before it expires. Part of {@link EdgeSettings}, which owns
 * the defaults through {@link Builder}; off unless a directory URL is given.
 * @param directoryUrl the CA's ACME directory, or {@code null} for no ACME
 * @param email the account's contact, or {@code null} for none
 * @param acceptTerms whether the operator accepts the CA's terms of service (required to order)
 * @param challenges the challenge types the edge answers, in the order it prefers them
 * @param handshakeWait how long a TLS handshake naming a hostname without a certificate yet waits
 * for one before the edge's fallback certificate is presented
 * @param retryBackoff how long after a failed order the hostname is ordered again, doubled per
 * repeat up to {@code maxRetryBackoff}
 * @param maxRetryBackoff the longest wait between failed orders of a hostname
 * @param orderTimeout how long one order may take, challenges and issuance included
 * @param trustedCaFile PEM of a CA that signed the ACME server's HTTPS certificate (a private
 * ACME server), or {@code null} for the JVM's trusted CAs
 */
public record AcmeSettings(@Nullable URI directoryUrl, @Nullable String email, boolean acceptTerms,
		List<Challenge> challenges, Duration handshakeWait, Duration retryBackoff, Duration maxRetryBackoff,
		Duration orderTimeout, @Nullable Path trustedCaFile) {

	public AcmeSettings {
		challenges = List.copyOf(challenges);
	}

	/** The settings of an edge that obtains no ACME certificate. */
	public static AcmeSettings disabled() {
		return new Builder().build();
	}

	/** Whether certificates are obtained from an ACME CA. */
	public boolean enabled() {
		return this.directoryUrl != null;
	}

	/** The ACME challenge types (RFC 8555 section 8.3, RFC 8737) the edge can answer. */
	public enum Challenge {

		/** {@code http-01}: a file under {@code /.well-known/acme-challenge/} on the cleartext listener. */
		HTTP_01("http-01"),

		/** {@code tls-alpn-01}: a certificate presented on the TLS listener for ALPN {@code acme-tls/1}. */
		TLS_ALPN_01("tls-alpn-01");

		private final String type;

		Challenge(String type) {
			this.type = type;
		}

		/** The type as ACME names it. */
		public String type() {
			return this.type;
		}

		/** The challenge an ACME type name ({@code http-01}) or constant name ({@code HTTP_01}) names. */
		public static Challenge of(String name) {
			String normalized = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
			for (Challenge challenge : values()) {
				if (challenge.type.equals(normalized)) {
					return challenge;
				}
			}
			throw new IllegalArgumentException("Unknown ACME challenge type '" + name + "': use http-01 or tls-alpn-01");
		}

	}

	/** Builds {@link AcmeSettings}; every setting left unset takes its default. */
	public static final class Builder {

		private @Nullable URI directoryUrl;

		private @Nullable String email;

		private boolean acceptTerms;

		private List<Challenge> challenges = List.of(Challenge.HTTP_01, Challenge.TLS_ALPN_01);

		private Duration handshakeWait = Duration.ofSeconds(5);

		private Duration retryBackoff = Duration.ofMinutes(1);

		private Duration maxRetryBackoff = Duration.ofHours(6);

		private Duration orderTimeout = Duration.ofMinutes(2);

		private @Nullable Path trustedCaFile;

		Builder() {
		}

		/** Default: none, no ACME certificate is obtained. */
		public Builder directoryUrl(@Nullable URI directoryUrl) {
			this.directoryUrl = directoryUrl;
			return this;
		}

		/** Default: none. */
		public Builder email(@Nullable String email) {
			this.email = (email == null || email.isBlank()) ? null : email.trim();
			return this;
		}

		/** Default: {@code false}; an edge with a directory URL refuses to start without it. */
		public Builder acceptTerms(boolean acceptTerms) {
			this.acceptTerms = acceptTerms;
			return this;
		}

		/** Default: {@code http-01}, then {@code tls-alpn-01}. */
		public Builder challenges(List<Challenge> challenges) {
			if (challenges.isEmpty()) {
				throw new IllegalArgumentException("At least one ACME challenge type is needed: http-01 or tls-alpn-01");
			}
			this.challenges = List.copyOf(challenges);
			return this;
		}

		/**
		 * Default: 5 seconds, well within the TLS handshake's own timeout (10 seconds), so that the
		 * visitor gets the fallback rather than a handshake that timed out.
		 */
		public Builder handshakeWait(Duration handshakeWait) {
			if (handshakeWait.isNegative()) {
				throw new IllegalArgumentException("handshakeWait must not be negative");
			}
			this.handshakeWait = handshakeWait;
			return this;
		}

		/** Default: 1 minute, doubled per repeat up to {@link #maxRetryBackoff(Duration)}. */
		public Builder retryBackoff(Duration retryBackoff) {
			this.retryBackoff = Checks.positive(retryBackoff, "retryBackoff");
			return this;
		}

		/** Default: 6 hours; not shorter than {@link #retryBackoff(Duration)}. */
		public Builder maxRetryBackoff(Duration maxRetryBackoff) {
			this.maxRetryBackoff = Checks.positive(maxRetryBackoff, "maxRetryBackoff");
			return this;
		}

		/** Default: 2 minutes. */
		public Builder orderTimeout(Duration orderTimeout) {
			this.orderTimeout = Checks.positive(orderTimeout, "orderTimeout");
			return this;
		}

		/** Default: none, the JVM's trusted CAs. */
		public Builder trustedCaFile(@Nullable Path trustedCaFile) {
			this.trustedCaFile = trustedCaFile;
			return this;
		}

		public AcmeSettings build() {
			if (this.directoryUrl != null && !this.acceptTerms) {
				throw new IllegalArgumentException("An ACME CA (" + this.directoryUrl + ") needs its terms of service "
						+ "accepted: read them, then set edge.public.tls.acme.accept-terms=true");
			}
			if (this.maxRetryBackoff.compareTo(this.retryBackoff) < 0) {
				throw new IllegalArgumentException("maxRetryBackoff (" + this.maxRetryBackoff
						+ ") must not be shorter than retryBackoff (" + this.retryBackoff + ")");
			}
			return new AcmeSettings(this.directoryUrl, this.email, this.acceptTerms, this.challenges, this.handshakeWait,
					this.retryBackoff, this.maxRetryBackoff, this.orderTimeout, this.trustedCaFile);
		}

	}

}
