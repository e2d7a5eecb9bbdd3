package dev.warp.edge.admin;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.token.CaPin;
import dev.warp.core.token.ConnectorToken;
import dev.warp.edge.provisioning.TokenStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AdminCommand}: help, the token and certificate commands, and the connector
 * token {@code token create} prints, with the edge's configuration read as the running edge reads it.
 */
class AdminCommandTests {

	@TempDir
	Path dataDir;

	@Test
	void helpPrintsTheCommandsPortsAndMainPropertiesAndStartsNothing() {
		for (String[] args : List.of(new String[] { "--help" }, new String[] { "help" }, new String[] { "-h" },
				new String[] { "token", "--help" }, new String[] { "--edge.tunnel.port=1", "--help" })) {
			assertThat(AdminCommand.isCommand(args)).as(String.join(" ", args)).isTrue();
			Output help = run(args);
			assertThat(help.code).isZero();
			assertThat(help.out).contains("token create --zone <zone>", "token list", "token revoke", "cert revoke",
					"edge.tunnel.port         7844", "edge.public.port         8080", "edge.provisioning.port   7847",
					"edge.api.port            7845", "edge.advertised.tunnel-addresses", "edge.data-dir");
		}
		assertThat(AdminCommand.isCommand(new String[] { "--edge.tunnel.port=1" })).isFalse();
	}

	@Test
	void tokenCreateNamesTheConfiguredPortsAndPinsTheCa() {
		Output created = run("token", "create", "--zone", "example.test", "--data-dir", this.dataDir.toString(),
				"--edge.tunnel.port=17844", "--edge.provisioning.port=17847");
		assertThat(created.code).as(created.err).isZero();
		ConnectorToken token = ConnectorToken.decode(created.out.trim());
		assertThat(token.tunnelAddresses()).containsExactly("localhost:17844");
		assertThat(token.provisioningUrl()).hasToString("https://localhost:17847");
		assertThat(token.caPin()).isEqualTo(CaPin.of(dev.warp.core.pki.PemFiles.readCertificates(
				this.dataDir.resolve("ca.pem")).get(0)));
		assertThat(new TokenStore(this.dataDir).authenticate(token.bearer())).isNotNull();
		assertThat(created.err).contains("export WARP_TOKEN='" + created.out.trim() + "'")
			.contains("  warp:\n    hostname: app.example.test")
			.contains("for others, set edge.advertised.tunnel-addresses");
	}

	@Test
	void tokenCreateNamesTheAdvertisedAddresses() {
		Output created = run("token", "create", "--zone", "example.test", "--data-dir", this.dataDir.toString(),
				"--edge.advertised.tunnel-addresses=edge-a.example.net:443,edge-b.example.net:443");
		assertThat(created.code).as(created.err).isZero();
		ConnectorToken token = ConnectorToken.decode(created.out.trim());
		assertThat(token.tunnelAddresses()).containsExactly("edge-a.example.net:443", "edge-b.example.net:443");
		assertThat(token.provisioningUrl()).hasToString("https://edge-a.example.net:7847");
		assertThat(created.err).doesNotContain("for others");
	}

	@Test
	void aPortPickedAtEachStartCannotBeNamed() {
		Output created = run("token", "create", "--zone", "example.test", "--data-dir", this.dataDir.toString(),
				"--edge.tunnel.port=0");
		assertThat(created.code).isEqualTo(1);
		assertThat(created.out).isEmpty();
		assertThat(created.err).contains("edge.tunnel.port is 0, a free port picked at each start, so a token cannot name it");
		assertThat(new TokenStore(this.dataDir).list()).isEmpty();
	}

	@Test
	void tokenCommandsCreateListAndRevoke() {
		Output create = run("token", "create", "--zone", "example.test", "--data-dir", this.dataDir.toString());
		assertThat(create.code).isZero();
		String secret = create.out.trim();
		assertThat(secret).startsWith("warp1.");
		assertThat(create.err).contains("shown this once");
		dev.warp.edge.provisioning.AccountToken token = new TokenStore(this.dataDir).authenticate(secret);
		assertThat(token).isNotNull();
		Output list = run("token", "list", "--data-dir=" + this.dataDir);
		assertThat(list.out).contains(token.id()).contains("example.test").doesNotContain(secret);
		assertThat(run("token", "revoke", token.id(), "--data-dir", this.dataDir.toString()).code).isZero();
		assertThat(new TokenStore(this.dataDir).authenticate(secret)).isNull();
		assertThat(run("token", "revoke", "nope", "--data-dir", this.dataDir.toString()).code).isEqualTo(1);
	}

	@Test
	void certRevokeCommandRevokesTheCertificateWithThatSerial() {
		CertificateAuthority ca = CertificateAuthority.create("Test CA", Clock.systemUTC());
		X509Certificate revoked = ca.issueClientCertificate(KeyPairs.generate().getPublic(), "a.example.test",
				List.of("a.example.test"), Duration.ofDays(1));
		X509Certificate kept = ca.issueClientCertificate(KeyPairs.generate().getPublic(), "b.example.test",
				List.of("b.example.test"), Duration.ofDays(1));
		String serial = revoked.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
		Output revoke = run("cert", "revoke", serial, "--data-dir", this.dataDir.toString());
		assertThat(revoke.code).isZero();
		dev.warp.edge.provisioning.RevokedCertificates revocations = new dev.warp.edge.provisioning.RevokedCertificates(this.dataDir);
		assertThat(revocations.isRevoked(revoked)).isTrue();
		assertThat(revocations.isRevoked(kept)).isFalse();
	}

	private Output run(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int code = new AdminCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8))
			.run(args);
		return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	private record Output(int code, String out, String err) {
	}

}
