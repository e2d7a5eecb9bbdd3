package dev.warp.edge.app;

import java.time.Duration;

import dev.warp.edge.provisioning.ProvisioningSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.PropertyMapper;

/**
 * Settings of provisioning, under {@code edge.provisioning.}: where agents trade an account
 * token for an origin certificate. What the operator set, applied to
 * {@link ProvisioningSettings}, which owns the defaults.
 */
public class ProvisioningProperties {

	/**
	 * Port of the provisioning API (HTTPS with the edge's certificate). 0 picks a free port,
	 * which the edge logs.
	 */
	private @Nullable Integer port;

	/**
	 * Validity of the origin certificates the edge issues. Agents renew theirs after two
	 * thirds of it; the edge closes a tunnel connection whose certificate expired.
	 */
	private @Nullable Duration certificateLifetime;

	/**
	 * How often the revoked certificates are read again and open tunnel connections checked
	 * against them. A change of the file is acted on at once anyway; this covers a data
	 * directory on a share written by another machine, whose changes are not reported.
	 */
	private @Nullable Duration revocationCheckInterval;

	/**
	 * Refused requests (unknown token, hostname outside its zones, bad CSR) a client address
	 * may make within a minute; further ones are answered 429 with Retry-After until the
	 * minute is over, without their token being checked.
	 */
	private @Nullable Integer failedAttemptsPerMinute;

	public @Nullable Integer getPort() {
		return this.port;
	}

	public void setPort(@Nullable Integer port) {
		this.port = port;
	}

	public @Nullable Duration getCertificateLifetime() {
		return this.certificateLifetime;
	}

	public void setCertificateLifetime(@Nullable Duration certificateLifetime) {
		this.certificateLifetime = certificateLifetime;
	}

	public @Nullable Duration getRevocationCheckInterval() {
		return this.revocationCheckInterval;
	}

	public void setRevocationCheckInterval(@Nullable Duration revocationCheckInterval) {
		this.revocationCheckInterval = revocationCheckInterval;
	}

	public @Nullable Integer getFailedAttemptsPerMinute() {
		return this.failedAttemptsPerMinute;
	}

	public void setFailedAttemptsPerMinute(@Nullable Integer failedAttemptsPerMinute) {
		this.failedAttemptsPerMinute = failedAttemptsPerMinute;
	}


	ProvisioningSettings applyTo(ProvisioningSettings settings) {
		PropertyMapper map = PropertyMapper.get();
		settings = map.from(this::getPort).to(settings, ProvisioningSettings::withPort);
		settings = map.from(this::getCertificateLifetime).to(settings, ProvisioningSettings::withCertificateLifetime);
		settings = map.from(this::getRevocationCheckInterval)
			.to(settings, ProvisioningSettings::withRevocationCheckInterval);
		return map.from(this::getFailedAttemptsPerMinute)
			.as(PropertyChecks.atLeastOne("edge.provisioning.failed-attempts-per-minute", ""))
			.to(settings, ProvisioningSettings::withFailedAttemptsPerMinute);
	}

}
