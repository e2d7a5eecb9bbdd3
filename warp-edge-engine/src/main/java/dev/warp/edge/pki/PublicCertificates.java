package dev.warp.edge.pki;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.edge.EdgeSettings.PublicTls;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.tcp.SslProvider;

/**
 * What the TLS public listener presents, chosen at each handshake: the operator's certificate,
 * or one the edge's CA issues for the configured names and the zones of the account tokens.
 * An issued certificate follows the tokens: a visitor who asks (SNI) for a name of a zone that
 * a token created since gained gets a certificate re-issued to cover it, without a restart.
 */
public final class PublicCertificates {

	private static final Logger logger = LoggerFactory.getLogger(PublicCertificates.class);

	private final PublicTls tls;

	private final CertificateAuthority authority;

	private final Supplier<? extends Collection<String>> zones;

	private volatile Presented presented;

	private PublicCertificates(PublicTls tls, CertificateAuthority authority, Supplier<? extends Collection<String>> zones) {
		this.tls = tls;
		this.authority = authority;
		this.zones = zones;
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
		return new PublicCertificates(tls, authority, zones);
	}

	/** The names the certificate presented now covers, as its subject alternative names list them. */
	public List<String> names() {
		return this.presented.names();
	}

	/** Configures a listener's TLS: the current certificate, chosen again at each handshake. */
	public SslProvider.Builder configure(SslProvider.SslContextSpec spec) {
		return spec.sslContext(this.presented.spec()).setSniAsyncMappings(this::select);
	}

	private Future<SslProvider> select(@Nullable String hostname, Promise<SslProvider> promise) {
		Presented now = this.presented;
		if (hostname == null || this.tls.certificateFile() != null || covers(now.names(), hostname)) {
			return promise.setSuccess(now.provider());
		}
		// Reading the token store and issuing stay off the event loop.
		Schedulers.boundedElastic().schedule(() -> {
			try {
				promise.trySuccess(followTokens().provider());
			}
			catch (RuntimeException ex) {
				logger.warn("Cannot re-issue the public TLS certificate: {}", ex.getMessage());
				promise.trySuccess(now.provider());
			}
		});
		return promise;
	}

	/** The certificate for the names and the zones of the tokens now, re-issued if they changed. */
	private synchronized Presented followTokens() {
		Presented now = this.presented;
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
		Presented next = present(PublicCertificate.of(this.tls, this.authority, zones));
		this.presented = next;
		logger.info("Public TLS certificate re-issued for {}: a token added the zone(s) {}", next.names(), added);
		return next;
	}

	private static Presented present(PublicCertificate certificate) {
		Http2SslContextSpec spec = Http2SslContextSpec.forServer(certificate.privateKey(), certificate.chain());
		return new Presented(subjectAlternativeNames(certificate.chain().get(0)), spec,
				SslProvider.builder().sslContext(spec).build());
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

	private static List<String> subjectAlternativeNames(X509Certificate certificate) {
		try {
			Collection<List<?>> names = certificate.getSubjectAlternativeNames();
			return (names != null) ? names.stream().map((entry) -> String.valueOf(entry.get(1))).toList() : List.of();
		}
		catch (CertificateParsingException ex) {
			return List.of();
		}
	}

	private record Presented(List<String> names, Http2SslContextSpec spec, SslProvider provider) {
	}

}
