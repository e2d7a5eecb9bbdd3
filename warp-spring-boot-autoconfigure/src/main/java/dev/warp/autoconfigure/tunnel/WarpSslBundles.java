package dev.warp.autoconfigure.tunnel;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import dev.warp.agent.OriginCredentials;
import dev.warp.agent.TunnelSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * The edge's CA ({@code warp.edge.ssl-bundle}) and the origin credentials
 * ({@code warp.origin.ssl-bundle}) from Spring Boot's SSL bundles ({@code spring.ssl.bundle.*}),
 * as an alternative to files. A bundle that does not exist, holds nothing usable, or is set
 * beside the files it replaces fails startup with a {@link WarpConfigurationException}.
 */
final class WarpSslBundles {

	static final String EDGE_BUNDLE = "warp.edge.ssl-bundle";

	static final String ORIGIN_BUNDLE = "warp.origin.ssl-bundle";

	private final @Nullable SslBundles bundles;

	private final Binder binder;

	WarpSslBundles(@Nullable SslBundles bundles, Binder binder) {
		this.bundles = bundles;
		this.binder = binder;
	}

	/** Sets the CA certificates and the origin credentials the bundles named in the properties hold. */
	void apply(WarpProperties properties, TunnelSettings.Builder settings) {
		String edge = properties.getEdge().getSslBundle();
		if (edge != null) {
			refuseBeside(EDGE_BUNDLE, edge, "warp.edge.ca-certificate");
			settings.caCertificates(caCertificates(edge, bundle(EDGE_BUNDLE, edge)));
		}
		String origin = properties.getOrigin().getSslBundle();
		if (origin != null) {
			refuseBeside(ORIGIN_BUNDLE, origin, "warp.credentials-dir");
			OriginCredentials credentials = originCredentials(origin, bundle(ORIGIN_BUNDLE, origin));
			String hostname = String.valueOf(properties.getHostname()).trim().toLowerCase(Locale.ROOT);
			String problem = credentials.problemFor(hostname, Instant.now());
			if (problem != null) {
				throw new WarpConfigurationException(ORIGIN_BUNDLE, origin, problem,
						"Put an origin certificate issued for warp.hostname by the edge's CA in the bundle's key store.");
			}
			settings.originCredentials(credentials);
		}
	}

	private void refuseBeside(String property, String name, String files) {
		if (this.binder.bind(files, Bindable.of(String.class)).isBound()) {
			throw new WarpConfigurationException(property, name, files + " is set too, and only one of them can apply",
					"Remove " + files + " or " + property + ".");
		}
	}

	private SslBundle bundle(String property, String name) {
		SslBundles bundles = this.bundles;
		try {
			if (bundles != null) {
				return bundles.getBundle(name);
			}
		}
		catch (NoSuchSslBundleException ex) {
			// Explained below.
		}
		List<String> known = (bundles != null) ? bundles.getBundleNames() : List.of();
		throw new WarpConfigurationException(property, name, "no SSL bundle of that name is configured (known: "
				+ (known.isEmpty() ? "none" : String.join(", ", known)) + ")",
				"Define it under spring.ssl.bundle.pem." + name + " (or spring.ssl.bundle.jks." + name
						+ "), or correct " + property + ".");
	}

	private static List<X509Certificate> caCertificates(String name, SslBundle bundle) {
		KeyStore trustStore = bundle.getStores().getTrustStore();
		List<X509Certificate> certificates = new ArrayList<>();
		try {
			if (trustStore != null) {
				for (String alias : Collections.list(trustStore.aliases())) {
					if (trustStore.getCertificate(alias) instanceof X509Certificate certificate) {
						certificates.add(certificate);
					}
				}
			}
		}
		catch (GeneralSecurityException ex) {
			throw new WarpConfigurationException(EDGE_BUNDLE, name, "its trust store cannot be read: " + ex.getMessage(),
					"Check the bundle's trust store.");
		}
		if (certificates.isEmpty()) {
			throw new WarpConfigurationException(EDGE_BUNDLE, name, "its trust store holds no certificate",
					"Set spring.ssl.bundle.pem." + name + ".truststore.certificate to the edge's CA certificate "
							+ "(ca.pem in the edge's data directory).");
		}
		return certificates;
	}

	private static OriginCredentials originCredentials(String name, SslBundle bundle) {
		KeyStore keyStore = bundle.getStores().getKeyStore();
		String wanted = bundle.getKey().getAlias();
		try {
			if (keyStore != null) {
				for (String alias : Collections.list(keyStore.aliases())) {
					if ((wanted == null || wanted.equals(alias)) && keyStore.isKeyEntry(alias)) {
						PrivateKey key = privateKey(keyStore, alias, bundle);
						Certificate[] chain = keyStore.getCertificateChain(alias);
						if (key != null && chain != null && chain.length > 0) {
							return new OriginCredentials(key, toX509(chain));
						}
					}
				}
			}
		}
		catch (GeneralSecurityException ex) {
			throw new WarpConfigurationException(ORIGIN_BUNDLE, name, "its key store cannot be read: " + ex.getMessage(),
					"Check the bundle's key store and its passwords.");
		}
		throw new WarpConfigurationException(ORIGIN_BUNDLE, name,
				"its key store holds no private key with its certificate" + ((wanted != null) ? " as " + wanted : ""),
				"Set spring.ssl.bundle.pem." + name + ".keystore.certificate and .private-key to the origin certificate "
						+ "and its key.");
	}

	private static @Nullable PrivateKey privateKey(KeyStore keyStore, String alias, SslBundle bundle)
			throws GeneralSecurityException {
		// The key's own password, else the store's, else none (a PEM bundle's key has none).
		String keyPassword = bundle.getKey().getPassword();
		String storePassword = bundle.getStores().getKeyStorePassword();
		String password = (keyPassword != null) ? keyPassword : (storePassword != null) ? storePassword : "";
		Key key = keyStore.getKey(alias, password.toCharArray());
		return (key instanceof PrivateKey privateKey) ? privateKey : null;
	}

	private static List<X509Certificate> toX509(Certificate[] chain) {
		List<X509Certificate> certificates = new ArrayList<>();
		for (Certificate certificate : chain) {
			if (certificate instanceof X509Certificate x509) {
				certificates.add(x509);
			}
		}
		return certificates;
	}

}
