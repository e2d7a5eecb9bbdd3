package dev.warp.edge.admin;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import dev.warp.core.token.CaPin;
import dev.warp.core.token.ConnectorToken;
import dev.warp.edge.provisioning.TokenStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AdminCommand}: help, and the connector token {@code token create} prints,
 * with the edge's configuration read as the running edge reads it.
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
