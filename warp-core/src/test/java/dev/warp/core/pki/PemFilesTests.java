package dev.warp.core.pki;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PemFiles}.
 */
class PemFilesTests {

	@TempDir
	Path dir;

	@Test
	void privateKeyRoundTrips() throws Exception {
		KeyPair keys = KeyPairs.generate();
		Path file = this.dir.resolve("key.pem");
		PemFiles.writePrivateKey(file, keys.getPrivate());
		assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
		assertThat(PemFiles.readPrivateKey(file).getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
	}

	@Test
	void certificateAuthorityIsReloaded() {
		CertificateAuthority created = CertificateAuthority.loadOrCreate(this.dir, "Test CA");
		CertificateAuthority loaded = CertificateAuthority.loadOrCreate(this.dir, "Test CA");
		assertThat(loaded.certificate()).isEqualTo(created.certificate());
		KeyPair keys = KeyPairs.generate();
		// The reloaded key still signs certificates that verify against the CA.
		assertThat(loaded.issueServerCertificate(keys.getPublic(), "x", List.of("localhost"), Duration.ofDays(1)))
			.satisfies((certificate) -> certificate.verify(created.certificate().getPublicKey()));
		assertThat(CertificateAuthority.create("In memory", Clock.systemUTC()).certificate()).isNotNull();
	}

}
