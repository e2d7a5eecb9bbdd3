package dev.warp.edge.pki;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EdgeCredentials}.
 */
class EdgeCredentialsTests {

	private static final List<String> NAMES = List.of("localhost", "127.0.0.1", "::1");

	@TempDir
	Path dir;

	@Test
	void createsCaAndCertificateIssuedByIt() throws Exception {
		EdgeCredentials credentials = EdgeCredentials.loadOrCreate(this.dir, NAMES);
		assertThat(credentials.caCertificateFile()).isEqualTo(this.dir.resolve("ca.pem")).exists();
		assertThat(this.dir.resolve("edge.pem")).exists();
		assertThat(Files.getPosixFilePermissions(this.dir.resolve("edge-key.pem")))
			.isEqualTo(PosixFilePermissions.fromString("rw-------"));
		X509Certificate certificate = credentials.certificate();
		certificate.verify(credentials.authority().certificate().getPublicKey());
		assertThat(names(certificate)).containsExactlyInAnyOrder("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1");
		assertThat(certificate.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
	}

	@Test
	void reusesTheCertificateOnDisk() throws Exception {
		EdgeCredentials first = EdgeCredentials.loadOrCreate(this.dir, NAMES);
		byte[] certificate = Files.readAllBytes(this.dir.resolve("edge.pem"));
		EdgeCredentials second = EdgeCredentials.loadOrCreate(this.dir, List.of("LOCALHOST", "0:0:0:0:0:0:0:1"));
		assertThat(Files.readAllBytes(this.dir.resolve("edge.pem"))).isEqualTo(certificate);
		assertThat(second.certificate()).isEqualTo(first.certificate());
		assertThat(second.privateKey().getEncoded()).isEqualTo(first.privateKey().getEncoded());
	}

	@Test
	void issuesAgainForANewName() throws Exception {
		EdgeCredentials.loadOrCreate(this.dir, NAMES);
		byte[] ca = Files.readAllBytes(this.dir.resolve("ca.pem"));
		EdgeCredentials credentials = EdgeCredentials.loadOrCreate(this.dir, List.of("localhost", "edge.example.test"));
		assertThat(names(credentials.certificate())).contains("edge.example.test");
		assertThat(Files.readAllBytes(this.dir.resolve("ca.pem"))).isEqualTo(ca);
	}

	@Test
	void issuesAgainWhenExpiringWithin30Days() throws Exception {
		EdgeCredentials first = EdgeCredentials.loadOrCreate(this.dir, NAMES);
		Clock later = Clock.offset(Clock.systemUTC(), EdgeCredentials.VALIDITY.minus(Duration.ofDays(29)));
		EdgeCredentials renewed = EdgeCredentials.loadOrCreate(this.dir, NAMES, later);
		assertThat(renewed.certificate()).isNotEqualTo(first.certificate());
		Clock notYet = Clock.offset(Clock.systemUTC(), EdgeCredentials.VALIDITY.minus(Duration.ofDays(31)));
		assertThat(EdgeCredentials.loadOrCreate(this.dir, NAMES, notYet).certificate()).isEqualTo(renewed.certificate());
	}

	@Test
	void issuesAgainWhenTheKeyIsMissingOrTheCaChanged() throws Exception {
		EdgeCredentials first = EdgeCredentials.loadOrCreate(this.dir, NAMES);
		Files.delete(this.dir.resolve("edge-key.pem"));
		EdgeCredentials second = EdgeCredentials.loadOrCreate(this.dir, NAMES);
		assertThat(second.certificate()).isNotEqualTo(first.certificate());
		Files.delete(this.dir.resolve("ca.pem"));
		Files.delete(this.dir.resolve("ca-key.pem"));
		EdgeCredentials third = EdgeCredentials.loadOrCreate(this.dir, NAMES);
		assertThat(third.certificate()).isNotEqualTo(second.certificate());
		third.certificate().verify(third.authority().certificate().getPublicKey());
	}

	private static List<Object> names(X509Certificate certificate) throws Exception {
		Collection<List<?>> names = certificate.getSubjectAlternativeNames();
		return names.stream().map((name) -> (Object) name.get(1)).toList();
	}

}
