package dev.warp.agent.internal.credentials;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.warp.agent.CredentialsDirectoryException;
import dev.warp.agent.MissingTokenException;
import dev.warp.agent.OriginCredentials;
import dev.warp.agent.internal.retry.Backoff;
import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.resources.LoopResources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class CredentialsStoreTests {

	private static final String HOST = "shop.example.test";

	@TempDir
	Path dir;

	private final CertificateAuthority ca = CertificateAuthority.create("Test CA", Clock.systemUTC());

	@Test
	void savedCredentialsAreOwnerOnlyAndReadBack() throws Exception {
		CredentialsStore store = new CredentialsStore(this.dir.resolve("credentials"), HOST);
		OriginCredentials credentials = issue(HOST, Duration.ofDays(1));
		store.save(credentials);
		assertThat(permissions(store.directory())).isEqualTo("rwx------");
		assertThat(permissions(this.dir.resolve("credentials"))).isEqualTo("rwx------");
		assertThat(permissions(store.directory().resolve(CredentialsStore.KEY_FILE))).isEqualTo("rw-------");
		assertThat(permissions(store.directory().resolve(CredentialsStore.CERTIFICATE_FILE))).isEqualTo("rw-------");
		OriginCredentials read = store.load();
		assertThat(read).isNotNull();
		assertThat(read.certificate()).isEqualTo(credentials.certificate());
		assertThat(read.privateKey().getEncoded()).isEqualTo(credentials.privateKey().getEncoded());
	}

	@Test
	void directoryThatCannotBeCreatedIsReportedWithItsPath() throws Exception {
		Path file = Files.writeString(this.dir.resolve("in-the-way"), "x");
		CredentialsStore store = new CredentialsStore(file, HOST);
		assertThatExceptionOfType(CredentialsDirectoryException.class).isThrownBy(store::checkWritable)
			.satisfies((ex) -> assertThat(ex.directory()).isEqualTo(file.resolve(HOST)))
			.withMessageContaining(file.toString());
	}

	@Test
	void renewalIsDueAfterTwoThirdsOfTheLifeSinceIssuance() {
		OriginCredentials credentials = issue(HOST, Duration.ofHours(3));
		Instant issued = credentials.certificate().getNotBefore().toInstant().plus(CertificateAuthority.CLOCK_SKEW);
		assertThat(credentials.renewAt()).isEqualTo(issued.plus(Duration.ofHours(2)));
	}

	@Test
	void credentialsServeOnlyTheirOwnHostnameUntilTheyExpire() {
		OriginCredentials credentials = issue(HOST, Duration.ofHours(1));
		assertThat(credentials.problemFor(HOST, Instant.now())).isNull();
		assertThat(credentials.problemFor("other.example.test", Instant.now())).contains("not other.example.test");
		assertThat(credentials.problemFor(HOST, Instant.now().plus(Duration.ofHours(2)))).contains("expired");
		assertThat(credentials.isIssuedBy(List.of(this.ca.certificate()))).isTrue();
		assertThat(credentials.isIssuedBy(List.of(CertificateAuthority.create("Other", Clock.systemUTC()).certificate())))
			.isFalse();
	}

	@Test
	void validCredentialsOnDiskAreUsedWithoutAToken() {
		CredentialsStore store = new CredentialsStore(this.dir.resolve("credentials"), HOST);
		OriginCredentials onDisk = issue(HOST, Duration.ofDays(1));
		store.save(onDisk);
		AtomicReference<OriginCredentials> delivered = new AtomicReference<>();
		LoopResources loops = LoopResources.create("test", 1, true);
		try {
			CertificateRenewal renewal = renewal(store, null, delivered, loops);
			renewal.start();
			assertThat(delivered.get().certificate()).isEqualTo(onDisk.certificate());
			assertThat(renewal.firstOutcome().block(Duration.ofSeconds(1))).isNull();
			renewal.stop();
		}
		finally {
			loops.dispose();
		}
	}

	@Test
	void withoutCredentialsOrTokenStartingFailsSayingWhatIsMissing() {
		CredentialsStore store = new CredentialsStore(this.dir.resolve("credentials"), HOST);
		LoopResources loops = LoopResources.create("test", 1, true);
		try {
			CertificateRenewal renewal = renewal(store, null, new AtomicReference<>(), loops);
			assertThatExceptionOfType(MissingTokenException.class).isThrownBy(renewal::start)
				.withMessageContaining(HOST)
				.withMessageContaining("no account token");
		}
		finally {
			loops.dispose();
		}
	}

	@Test
	void unreachableProvisioningApiIsRetriedNotFatal() {
		CredentialsStore store = new CredentialsStore(this.dir.resolve("credentials"), HOST);
		AtomicReference<OriginCredentials> delivered = new AtomicReference<>();
		LoopResources loops = LoopResources.create("test", 1, true);
		try {
			CertificateRenewal renewal = renewal(store, "warp_0.offline", delivered, loops);
			renewal.start();
			// The first outcome completes (the edge could not be reached), it does not fail.
			renewal.firstOutcome().block(Duration.ofSeconds(10));
			assertThat(renewal.failures()).isPositive();
			assertThat(delivered.get()).isNull();
			renewal.stop();
		}
		finally {
			loops.dispose();
		}
	}

	private CertificateRenewal renewal(CredentialsStore store, String token, AtomicReference<OriginCredentials> delivered,
			LoopResources loops) {
		EdgeTrust trusted = EdgeTrust.of(List.of(this.ca.certificate()));
		ProvisioningClient client = new ProvisioningClient(URI.create("https://127.0.0.1:1"), trusted,
				Duration.ofSeconds(2), loops);
		return new CertificateRenewal(HOST, token, store, client, trusted,
				new Backoff(Duration.ofMillis(100), Duration.ofMillis(200)), delivered::set, Clock.systemUTC());
	}

	private OriginCredentials issue(String hostname, Duration validity) {
		KeyPair keys = KeyPairs.generate();
		return new OriginCredentials(keys.getPrivate(), List.of(
				this.ca.issueClientCertificate(keys.getPublic(), hostname, List.of(hostname), validity), this.ca.certificate()));
	}

	private static String permissions(Path path) throws Exception {
		return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
	}

}
