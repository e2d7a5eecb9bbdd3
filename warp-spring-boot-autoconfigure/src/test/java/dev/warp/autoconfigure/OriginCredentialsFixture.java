package dev.warp.autoconfigure;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import dev.warp.agent.OriginCredentials;
import dev.warp.agent.internal.credentials.CredentialsStore;
import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.pki.PemFiles;

/**
 * A test CA written to {@code ca.pem}, and an origin certificate it issued for a hostname in a
 * credentials directory, as an earlier run of the application would have left it: the tunnel
 * then dials without contacting a provisioning API.
 */
public final class OriginCredentialsFixture {

	private OriginCredentialsFixture() {
	}

	/** Writes the CA to {@code dir/ca.pem} and credentials for the hostname to {@code dir/credentials}. */
	public static Path writeCaAndCredentials(Path dir, String hostname) {
		CertificateAuthority ca = CertificateAuthority.create("Test CA", Clock.systemUTC());
		Path caFile = dir.resolve("ca.pem");
		PemFiles.writeCertificates(caFile, ca.certificate());
		KeyPair keys = KeyPairs.generate();
		new CredentialsStore(dir.resolve("credentials"), hostname).save(new OriginCredentials(keys.getPrivate(), List.of(
				ca.issueClientCertificate(keys.getPublic(), hostname, List.of(hostname), Duration.ofDays(1)), ca.certificate())));
		return caFile;
	}

}
