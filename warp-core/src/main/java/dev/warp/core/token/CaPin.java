package dev.warp.core.token;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A pin of a CA: the SHA-256 of its public key (the DER SubjectPublicKeyInfo), written
 * {@code sha256:<64 hex digits>} like kubeadm's {@code --discovery-token-ca-cert-hash}. A CA
 * certificate re-issued with the same key keeps its pin.
 */
public final class CaPin {

	/** The length of a pin, in bytes. */
	static final int LENGTH = 32;

	private static final String PREFIX = "sha256:";

	private final byte[] hash;

	CaPin(byte[] hash) {
		if (hash.length != LENGTH) {
			throw new IllegalArgumentException("A CA pin is " + LENGTH + " bytes, was " + hash.length);
		}
		this.hash = hash.clone();
	}

	/** The pin of a CA certificate. */
	public static CaPin of(X509Certificate certificate) {
		try {
			return new CaPin(MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

	/**
	 * A pin as written: {@code sha256:} and 64 hex digits.
	 * @throws IllegalArgumentException when the text is not one
	 */
	public static CaPin parse(String text) {
		String trimmed = text.trim().toLowerCase(Locale.ROOT);
		if (!trimmed.startsWith(PREFIX) || trimmed.length() != PREFIX.length() + 2 * LENGTH) {
			throw new IllegalArgumentException("'" + text + "' is not a CA pin: expected sha256: and 64 hex digits");
		}
		return new CaPin(HexFormat.of().parseHex(trimmed.substring(PREFIX.length())));
	}

	/** Whether a certificate's public key is the pinned one. */
	public boolean matches(X509Certificate certificate) {
		return equals(of(certificate));
	}

	byte[] bytes() {
		return this.hash.clone();
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof CaPin pin && MessageDigest.isEqual(this.hash, pin.hash);
	}

	@Override
	public int hashCode() {
		return Arrays.hashCode(this.hash);
	}

	@Override
	public String toString() {
		return PREFIX + HexFormat.of().formatHex(this.hash);
	}

}
