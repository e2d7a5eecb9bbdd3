package dev.warp.edge.provisioning;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.CertificateRequests;
import dev.warp.core.pki.CertificateRequests.InvalidRequestException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trades an account token and a CSR for an origin certificate: checks the token, that one of its
 * zones covers the hostname the CSR asks for, and the CSR itself; then the CA issues a client
 * certificate whose only DNS name is that hostname.
 */
public final class OriginCertificateIssuer {

	private static final Logger logger = LoggerFactory.getLogger(OriginCertificateIssuer.class);

	private final TokenStore tokens;

	private final CertificateAuthority authority;

	private final Duration lifetime;

	public OriginCertificateIssuer(TokenStore tokens, CertificateAuthority authority, Duration lifetime) {
		this.tokens = tokens;
		this.authority = authority;
		this.lifetime = lifetime;
	}

	/**
	 * Issues an origin certificate.
	 * @param bearer the token the agent presented, or {@code null} when it sent none
	 * @param csrPem the agent's CSR, PEM
	 * @throws ProvisioningRefusedException with status 401, 403 or 400, saying why
	 */
	public X509Certificate issue(@Nullable String bearer, String csrPem) {
		if (bearer == null || bearer.isBlank()) {
			throw new ProvisioningRefusedException(401,
					"no account token was presented (Authorization: Bearer <token>); set warp.token");
		}
		AccountToken token = this.tokens.authenticate(bearer.trim());
		if (token == null) {
			throw new ProvisioningRefusedException(401, "the account token is unknown or revoked; ask the edge operator "
					+ "for a valid token (java -jar warp-edge.jar token create --zone <zone>)");
		}
		CertificateRequests.Verified request;
		try {
			request = CertificateRequests.verify(csrPem);
		}
		catch (InvalidRequestException ex) {
			throw new ProvisioningRefusedException(400, "bad certificate signing request: " + ex.getMessage());
		}
		String hostname = Zones.normalize(request.hostname());
		if (!Zones.isValid(hostname)) {
			throw new ProvisioningRefusedException(400, "'" + hostname + "' is not a hostname");
		}
		String zone = Zones.closest(token.zones(), hostname);
		if (zone == null) {
			throw new ProvisioningRefusedException(403, "account token " + token.id() + " is valid for "
					+ String.join(", ", token.zones()) + " only, not for " + hostname
					+ "; use a token whose zone covers this hostname, or change warp.hostname");
		}
		// The zone names the account (OriginAccount): the tunnel listener keeps each hostname's pool to one.
		X509Certificate certificate = this.authority.issueClientCertificate(request.publicKey(), hostname,
				List.of(hostname), this.lifetime, OriginAccount.UNIT_PREFIX + zone);
		logger.info("Issued origin certificate {} for {} (account zone {}) with account token {}, valid until {}",
				certificate.getSerialNumber().toString(16), hostname, zone, token.id(),
				certificate.getNotAfter().toInstant());
		return certificate;
	}

}
