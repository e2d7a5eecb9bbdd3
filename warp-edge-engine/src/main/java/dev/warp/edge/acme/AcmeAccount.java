package dev.warp.edge.acme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

import dev.warp.core.pki.KeyPairs;
import dev.warp.core.pki.PemFiles;
import dev.warp.edge.AcmeSettings;
import org.jspecify.annotations.Nullable;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.exception.AcmeException;

/**
 * The edge's account with the ACME CA: its key pair, kept in the data directory (owner-only) so
 * that a restart finds the same account, and registered (or found again) at the first order.
 * Blocking: used off the event loops only.
 */
final class AcmeAccount {

	private final AcmeSettings settings;

	private final KeyPair keys;

	private @Nullable Account account;

	private AcmeAccount(AcmeSettings settings, KeyPair keys) {
		this.settings = settings;
		this.keys = keys;
	}

	/** The account whose key is in {@code keyFile}, created there first when missing. */
	static AcmeAccount loadOrCreate(AcmeSettings settings, Path keyFile) {
		try {
			if (Files.exists(keyFile)) {
				return new AcmeAccount(settings, read(keyFile));
			}
			KeyPair keys = KeyPairs.generate();
			PemFiles.writeOwnerOnly(keyFile, PemFiles.toPem(keys.getPrivate(), keys.getPublic()));
			return new AcmeAccount(settings, keys);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read or write the ACME account key " + keyFile, ex);
		}
	}

	/** The key pair written as its PKCS#8 private key and its public key. */
	private static KeyPair read(Path keyFile) throws IOException {
		PemBundle pem = PemBundle.parse(Files.readString(keyFile, StandardCharsets.US_ASCII));
		if (pem.privateKey() == null || pem.publicKey() == null) {
			throw new IOException("no private key and public key in it");
		}
		return new KeyPair(pem.publicKey(), pem.privateKey());
	}

	/** The account at the CA, registered there at the first call (the CA finds it again by its key). */
	synchronized Account account() throws AcmeException {
		Account known = this.account;
		if (known != null) {
			return known;
		}
		AccountBuilder builder = new AccountBuilder().useKeyPair(this.keys);
		if (this.settings.acceptTerms()) {
			builder.agreeToTermsOfService();
		}
		if (this.settings.email() != null) {
			builder.addEmail(this.settings.email());
		}
		Account created = builder.create(session());
		this.account = created;
		return created;
	}

	private Session session() {
		Path trusted = this.settings.trustedCaFile();
		return (trusted != null) ? new Session(this.settings.directoryUrl(), new TrustingAcmeProvider(trusted))
				: new Session(this.settings.directoryUrl());
	}

}
