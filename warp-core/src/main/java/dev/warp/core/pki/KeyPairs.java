package dev.warp.core.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** Key pairs for the CA, the edge and origins: ECDSA on P-256, fast to make and to verify. */
public final class KeyPairs {

	/** The signature algorithm used with these keys. */
	public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

	private KeyPairs() {
	}

	public static KeyPair generate() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"));
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("This JVM cannot generate P-256 EC keys", ex);
		}
	}

}
