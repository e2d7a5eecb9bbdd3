package dev.warp.edge.provisioning;

import java.time.Duration;

/**
 * Settings of provisioning and of origin certificates.
 * @param port port of the provisioning API (HTTPS); {@code 0} picks a free one
 * @param certificateLifetime how long an origin certificate is valid; agents renew it after two
 * thirds of that
 * @param revocationCheckInterval how often open tunnel connections are checked against the
 * revoked certificates (and the list read again from the data directory)
 * @param failedAttemptsPerMinute refused requests a client address may make within a minute;
 * further ones are answered 429 until the minute is over, their tokens not checked
 */
public record ProvisioningSettings(int port, Duration certificateLifetime, Duration revocationCheckInterval,
		int failedAttemptsPerMinute) {

	/** The default port: next to the cluster's peer port (7846). */
	public static final int DEFAULT_PORT = 7847;

	/** An application needs one request per certificate; a few more leave room for mistakes. */
	public static final int DEFAULT_FAILED_ATTEMPTS_PER_MINUTE = 10;

	public ProvisioningSettings {
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("Invalid provisioning port " + port + ": use 0 to 65535 (0 picks a free port)");
		}
		if (certificateLifetime.isNegative() || certificateLifetime.isZero()) {
			throw new IllegalArgumentException("certificateLifetime must be positive, was " + certificateLifetime);
		}
		if (revocationCheckInterval.isNegative() || revocationCheckInterval.isZero()) {
			throw new IllegalArgumentException("revocationCheckInterval must be positive, was " + revocationCheckInterval);
		}
		if (failedAttemptsPerMinute < 1) {
			throw new IllegalArgumentException("failedAttemptsPerMinute must be at least 1, was " + failedAttemptsPerMinute);
		}
	}

	public ProvisioningSettings(int port, Duration certificateLifetime, Duration revocationCheckInterval) {
		this(port, certificateLifetime, revocationCheckInterval, DEFAULT_FAILED_ATTEMPTS_PER_MINUTE);
	}

	/** Port 7847, 90-day certificates, revocation checked every 30 seconds, 10 failed attempts a minute. */
	public static ProvisioningSettings defaults() {
		return new ProvisioningSettings(DEFAULT_PORT, Duration.ofDays(90), Duration.ofSeconds(30));
	}

	public ProvisioningSettings withPort(int port) {
		return new ProvisioningSettings(port, this.certificateLifetime, this.revocationCheckInterval,
				this.failedAttemptsPerMinute);
	}

	public ProvisioningSettings withCertificateLifetime(Duration lifetime) {
		return new ProvisioningSettings(this.port, lifetime, this.revocationCheckInterval, this.failedAttemptsPerMinute);
	}

	public ProvisioningSettings withRevocationCheckInterval(Duration interval) {
		return new ProvisioningSettings(this.port, this.certificateLifetime, interval, this.failedAttemptsPerMinute);
	}

	public ProvisioningSettings withFailedAttemptsPerMinute(int attempts) {
		return new ProvisioningSettings(this.port, this.certificateLifetime, this.revocationCheckInterval, attempts);
	}

}
