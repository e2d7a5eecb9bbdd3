package dev.warp.edge.provisioning;

import java.time.Duration;

/**
 * Settings of provisioning and of origin certificates.
 * @param port port of the provisioning API (HTTPS); {@code 0} picks a free one
 * @param certificateLifetime how long an origin certificate is valid; agents renew it after two
 * thirds of that
 * @param revocationCheckInterval how often open tunnel connections are checked against the
 * revoked certificates (and the list read again from the data directory)
 */
public record ProvisioningSettings(int port, Duration certificateLifetime, Duration revocationCheckInterval) {

	/** The default port: next to the cluster's peer port (7846). */
	public static final int DEFAULT_PORT = 7847;

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
	}

	/** Port 7847, 90-day certificates, revocation checked every 30 seconds. */
	public static ProvisioningSettings defaults() {
		return new ProvisioningSettings(DEFAULT_PORT, Duration.ofDays(90), Duration.ofSeconds(30));
	}

	public ProvisioningSettings withPort(int port) {
		return new ProvisioningSettings(port, this.certificateLifetime, this.revocationCheckInterval);
	}

	public ProvisioningSettings withCertificateLifetime(Duration lifetime) {
		return new ProvisioningSettings(this.port, lifetime, this.revocationCheckInterval);
	}

	public ProvisioningSettings withRevocationCheckInterval(Duration interval) {
		return new ProvisioningSettings(this.port, this.certificateLifetime, interval);
	}

}
