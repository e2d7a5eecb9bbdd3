package dev.warp.edge.app;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.warp.edge.AcmeSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.PropertyMapper;

/**
 * Certificates of the TLS public listener from an ACME CA, under {@code edge.public.tls.acme.}:
 * what the operator set, applied to {@link AcmeSettings.Builder}, which owns the defaults.
 */
public class AcmeProperties {

	/**
	 * ACME directory URL of the CA the edge obtains a certificate from for every hostname it
	 * serves within the zones of its tokens, such as Let's Encrypt's
	 * https://acme-v02.api.letsencrypt.org/directory (staging:
	 * https://acme-staging-v02.api.letsencrypt.org/directory). Unset, no ACME.
	 */
	private @Nullable URI directoryUrl;

	/**
	 * Contact e-mail of the ACME account, where the CA sends expiry and policy notices.
	 */
	private @Nullable String email;

	/**
	 * Whether the operator accepts the ACME CA's terms of service; required with a directory URL.
	 */
	private @Nullable Boolean acceptTerms;

	/**
	 * ACME challenge types the edge answers, in the order it prefers them: http-01 (needs the
	 * cleartext listener reachable on port 80) and tls-alpn-01 (needs the TLS listener on port 443).
	 */
	private @Nullable List<String> challenges;

	/**
	 * How long a TLS handshake naming a hostname whose certificate is being ordered waits for it
	 * before the fallback certificate is presented.
	 */
	private @Nullable Duration handshakeWait;

	/**
	 * How long after a failed order a hostname is ordered again, doubled per repeated failure.
	 */
	private @Nullable Duration retryBackoff;

	/**
	 * The longest wait between failed orders of a hostname.
	 */
	private @Nullable Duration maxRetryBackoff;

	/**
	 * How long one order may take, its challenges and the issuance included.
	 */
	private @Nullable Duration orderTimeout;

	/**
	 * PEM file of the CA that signed the ACME server's HTTPS certificate, for a private ACME
	 * server; unset, the JVM's trusted CAs.
	 */
	private @Nullable Path trustedCaFile;

	public @Nullable URI getDirectoryUrl() {
		return this.directoryUrl;
	}

	public void setDirectoryUrl(@Nullable URI directoryUrl) {
		this.directoryUrl = directoryUrl;
	}

	public @Nullable String getEmail() {
		return this.email;
	}

	public void setEmail(@Nullable String email) {
		this.email = email;
	}

	public @Nullable Boolean getAcceptTerms() {
		return this.acceptTerms;
	}

	public void setAcceptTerms(@Nullable Boolean acceptTerms) {
		this.acceptTerms = acceptTerms;
	}

	public @Nullable List<String> getChallenges() {
		return this.challenges;
	}

	public void setChallenges(@Nullable List<String> challenges) {
		this.challenges = challenges;
	}

	public @Nullable Duration getHandshakeWait() {
		return this.handshakeWait;
	}

	public void setHandshakeWait(@Nullable Duration handshakeWait) {
		this.handshakeWait = handshakeWait;
	}

	public @Nullable Duration getRetryBackoff() {
		return this.retryBackoff;
	}

	public void setRetryBackoff(@Nullable Duration retryBackoff) {
		this.retryBackoff = retryBackoff;
	}

	public @Nullable Duration getMaxRetryBackoff() {
		return this.maxRetryBackoff;
	}

	public void setMaxRetryBackoff(@Nullable Duration maxRetryBackoff) {
		this.maxRetryBackoff = maxRetryBackoff;
	}

	public @Nullable Duration getOrderTimeout() {
		return this.orderTimeout;
	}

	public void setOrderTimeout(@Nullable Duration orderTimeout) {
		this.orderTimeout = orderTimeout;
	}

	public @Nullable Path getTrustedCaFile() {
		return this.trustedCaFile;
	}

	public void setTrustedCaFile(@Nullable Path trustedCaFile) {
		this.trustedCaFile = trustedCaFile;
	}

	void applyTo(AcmeSettings.Builder builder) {
		PropertyMapper map = PropertyMapper.get();
		map.from(this::getDirectoryUrl).to(builder::directoryUrl);
		map.from(this::getEmail).to(builder::email);
		map.from(this::getAcceptTerms).to(builder::acceptTerms);
		map.from(this::getChallenges)
			.as((names) -> names.stream().map(AcmeSettings.Challenge::of).toList())
			.to(builder::challenges);
		map.from(this::getHandshakeWait).to(builder::handshakeWait);
		map.from(this::getRetryBackoff).as(PropertyChecks.positive("edge.public.tls.acme.retry-backoff")).to(builder::retryBackoff);
		map.from(this::getMaxRetryBackoff)
			.as(PropertyChecks.positive("edge.public.tls.acme.max-retry-backoff"))
			.to(builder::maxRetryBackoff);
		map.from(this::getOrderTimeout).as(PropertyChecks.positive("edge.public.tls.acme.order-timeout")).to(builder::orderTimeout);
		map.from(this::getTrustedCaFile).to(builder::trustedCaFile);
	}

}
