package dev.warp.edge;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

import dev.warp.edge.admin.AdminCommand;
import dev.warp.core.pki.CertificateAuthority;
import dev.warp.edge.TestAgent.ClientCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code cert revoke}, run beside a running edge as an operator runs it, takes effect at once:
 * the running edge closes the certificate's open connection and refuses new handshakes with it
 * within a second, long before its periodic revocation check, and serves other tenants meanwhile.
 */
class CertificateRevocationTests {

	/** How soon a revocation must take effect; the periodic check (30 s by default) is far later. */
	private static final Duration AT_ONCE = Duration.ofSeconds(2);

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private CertificateAuthority ca;

	@BeforeEach
	void start() {
		// The default revocation check interval (30 s): only the edge's watch of the file can act in time.
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).build());
		this.ca = CertificateAuthority.loadOrCreate(this.dataDir, "unused");
	}

	@AfterEach
	void stop() {
		this.edge.close();
	}

	@Test
	void revokedCertificateLosesItsConnectionAndNewHandshakesWithinASecondWhileAnotherTenantIsServed() throws Exception {
		ClientCertificate revoked = ClientCertificate.issue(this.ca, "a.example.test");
		try (TestAgent a = TestAgent.connectWith(this.edge.tunnelPort(), this.edge.caCertificateFile(), "a.example.test",
				revoked);
				TestAgent b = TestAgent.connectRouted(this.edge, "b.example.test")) {
			await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select("a.example.test") != null);
			long start = System.nanoTime();
			assertThat(revoke(revoked.chain()[0].getSerialNumber().toString(16))).isZero();
			await().atMost(AT_ONCE).until(() -> !a.channel().isActive());
			long closedMillis = (System.nanoTime() - start) / 1_000_000;
			assertThat(this.edge.routeTable().select("a.example.test")).isNull();
			try (TestAgent again = TestAgent.connectWith(this.edge.tunnelPort(), this.edge.caCertificateFile(),
					"a.example.test", revoked)) {
				await().atMost(AT_ONCE).until(() -> !again.channel().isActive());
				assertThat(this.edge.routeTable().pool("a.example.test")).isNull();
			}
			System.out.printf("cert revoke to the open connection closed: %d ms%n", closedMillis);
			assertThat(Visitor.get(this.edge, "b.example.test", "/hello").body()).isEqualTo("hello");
			assertThat(b.channel().isActive()).isTrue();
		}
	}

	/** {@code java -jar warp-edge.jar cert revoke <serial> --data-dir <dir>}. */
	private int revoke(String serial) {
		PrintStream out = new PrintStream(new ByteArrayOutputStream());
		return new AdminCommand(out, out).run(new String[] { "cert", "revoke", serial, "--data-dir", this.dataDir.toString() });
	}

}
