package dev.warp.edge.provisioning;

import java.security.cert.X509Certificate;
import java.util.List;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.CertificateNames;

/**
 * The account an origin certificate belongs to: the zone of the account token that obtained it
 * (the most specific of the token's zones that covers the hostname), which the edge writes into
 * the certificate's subject as the organizational unit {@code zone:<zone>}. Tokens for the same
 * zone are one account, so that a token replaced by a new one for the same zone (rotation) keeps
 * serving; a token for a wider zone ({@code test}) is another account than one for
 * {@code b.test}. A certificate that names no zone (issued before the edge wrote one, or by hand
 * from the CA) counts as the account of exactly its hostname.
 */
public final class OriginAccount {

	/** How the organizational unit that names the zone starts. */
	public static final String UNIT_PREFIX = "zone:";

	private OriginAccount() {
	}

	/** The account (its zone) of an origin certificate. */
	public static String of(X509Certificate certificate) {
		String unit = CertificateAuthority.organizationalUnit(certificate);
		if (unit != null && unit.startsWith(UNIT_PREFIX)) {
			return unit.substring(UNIT_PREFIX.length());
		}
		List<String> names = CertificateNames.dnsNames(certificate);
		return names.isEmpty() ? "" : Zones.normalize(names.get(0));
	}

}
