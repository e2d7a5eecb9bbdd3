package dev.warp.agent.internal.credentials;

import java.security.cert.X509Certificate;
import java.util.List;

import dev.warp.core.token.CaPin;
import org.jspecify.annotations.Nullable;

/**
 * The edge CA certificates the agent trusts: read from a file before the tunnel starts, or
 * learned from the edge afterwards (fetched, or kept with the origin certificate) and accepted
 * only when the CA's public key matches the connector token's pin.
 */
public final class EdgeTrust {

	private final @Nullable CaPin pin;

	private volatile @Nullable List<X509Certificate> certificates;

	private EdgeTrust(@Nullable CaPin pin, @Nullable List<X509Certificate> certificates) {
		this.pin = pin;
		this.certificates = certificates;
	}

	/** Trusts these CA certificates. */
	public static EdgeTrust of(List<X509Certificate> certificates) {
		return new EdgeTrust(null, List.copyOf(certificates));
	}

	/** Trusts nothing until it {@link #learn learns} the CA with this pin. */
	public static EdgeTrust pinned(CaPin pin) {
		return new EdgeTrust(pin, null);
	}

	/** Whether the trusted CA is known yet. */
	public boolean isKnown() {
		return this.certificates != null;
	}

	/** The pin the CA must match, or {@code null} for a CA from a file. */
	public @Nullable CaPin pin() {
		return this.pin;
	}

	/**
	 * The trusted CA certificates.
	 * @throws IllegalStateException before the pinned CA is learned
	 */
	public List<X509Certificate> certificates() {
		List<X509Certificate> known = this.certificates;
		if (known == null) {
			throw new IllegalStateException("The edge CA is not known yet: it is fetched from the edge first");
		}
		return known;
	}

	/**
	 * Trusts the certificate among these whose public key matches the pin, if any.
	 * @return whether the CA is known now
	 */
	public boolean learn(List<X509Certificate> candidates) {
		CaPin required = this.pin;
		if (this.certificates == null && required != null) {
			candidates.stream().filter(required::matches).findFirst().ifPresent((ca) -> this.certificates = List.of(ca));
		}
		return isKnown();
	}

}
