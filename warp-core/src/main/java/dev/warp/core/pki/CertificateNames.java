package dev.warp.core.pki;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** The names a certificate is valid for. */
public final class CertificateNames {

	/** The type number of a dNSName in {@link X509Certificate#getSubjectAlternativeNames()}. */
	private static final int DNS_NAME = 2;

	private CertificateNames() {
	}

	/** The certificate's DNS names (subject alternative names of type dNSName), lower case. */
	public static List<String> dnsNames(X509Certificate certificate) {
		List<String> names = new ArrayList<>();
		try {
			Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
			if (entries != null) {
				for (List<?> entry : entries) {
					if (entry.size() == 2 && entry.get(0) instanceof Integer type && type == DNS_NAME
							&& entry.get(1) instanceof String name) {
						names.add(name.toLowerCase(Locale.ROOT));
					}
				}
			}
		}
		catch (CertificateParsingException ex) {
			// No readable names: the certificate is valid for none.
		}
		return names;
	}

}
