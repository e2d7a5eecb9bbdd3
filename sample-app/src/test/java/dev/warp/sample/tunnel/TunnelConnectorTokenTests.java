package dev.warp.sample.tunnel;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.token.CaPin;
import dev.warp.core.token.ConnectorToken;
import dev.warp.edge.EdgeNode;
import dev.warp.edge.app.EdgeNodeLifecycle;
import dev.warp.edge.app.WarpEdgeApplication;
import dev.warp.edge.admin.AdminCommand;
import dev.warp.sample.SampleApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A connector token is all an application needs: the token {@code token create} prints names
 * the edge's tunnel and provisioning addresses as the edge's configuration sets them and pins
 * the edge's CA, which the application fetches and checks before it trusts it.
 */
@ExtendWith(OutputCaptureExtension.class)
class TunnelConnectorTokenTests {

	static final String HOST = "shop.example.test";

	@TempDir
	Path dir;

	@Test
	void aTokenFromAnEdgeOnNonDefaultPortsIsAllTheAppNeeds(CapturedOutput output) throws Exception {
		Path dataDir = this.dir.resolve("edge");
		String[] edgeConfiguration = { "--edge.data-dir=" + dataDir, "--edge.bind-address=127.0.0.1",
				"--edge.public.port=0", "--edge.api.port=0", "--edge.tunnel.port=" + ForkedJvm.freePort(),
				"--edge.provisioning.port=" + ForkedJvm.freePort() };
		ConfigurableApplicationContext edgeApp = WarpEdgeApplication.application().run(edgeConfiguration);
		ConfigurableApplicationContext app = null;
		try {
			EdgeNode edge = edgeApp.getBean(EdgeNodeLifecycle.class).getEdgeNode();
			List<String> command = new ArrayList<>(List.of("token", "create", "--zone", "example.test"));
			command.addAll(List.of(edgeConfiguration));
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			ByteArrayOutputStream err = new ByteArrayOutputStream();
			int code = new AdminCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
					new PrintStream(err, true, StandardCharsets.UTF_8))
				.run(command.toArray(String[]::new));
			assertThat(code).isZero();
			String token = out.toString(StandardCharsets.UTF_8).trim();
			assertThat(token).startsWith("warp1.").doesNotContain("\n");
			assertThat(ConnectorToken.decode(token).tunnelAddresses()).containsExactly("localhost:" + edge.tunnelPort());
			assertThat(err.toString(StandardCharsets.UTF_8)).contains("export WARP_TOKEN='" + token + "'")
				.contains("warp:\n    hostname: app.example.test");
			app = TunnelTestSupport.startApp(HOST, "--warp.token=" + token);
			TunnelTestSupport.visitor(edge, HOST).get().uri("/hello").exchange().expectStatus().isOk()
				.expectBody(String.class).isEqualTo("hello");
			assertThat(output).contains("it matches the token's pin").doesNotContain(token);
		}
		finally {
			TunnelTestSupport.close(app, edgeApp);
		}
	}

	@Test
	void aRestartTrustsTheCaKeptWithTheCertificateWithoutFetchingIt(CapturedOutput output) throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			String token = tokenFor(edge);
			String credentials = "--warp.credentials-dir=" + TunnelTestSupport.newCredentialsDir();
			TunnelTestSupport.startApp(HOST, "--warp.token=" + token, credentials).close();
			int fetches = count(output.getOut(), "Fetching the edge CA");
			ConfigurableApplicationContext again = TunnelTestSupport.startApp(HOST, "--warp.token=" + token, credentials);
			try {
				assertThat(count(output.getOut(), "Fetching the edge CA")).isEqualTo(fetches);
				TunnelTestSupport.visitor(edge, HOST).get().uri("/hello").exchange().expectStatus().isOk();
			}
			finally {
				again.close();
			}
		}
	}

	@Test
	void aCaThatDoesNotMatchThePinIsRefused(CapturedOutput output) throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			ConnectorToken genuine = ConnectorToken.decode(tokenFor(edge));
			CaPin otherCa = CaPin.of(CertificateAuthority.create("Another CA", Clock.systemUTC()).certificate());
			String forged = new ConnectorToken(genuine.id(), genuine.secret(), genuine.tunnelAddresses(),
					genuine.provisioningUrl(), otherCa).encode();
			assertThatException().isThrownBy(() -> run("--warp.token=" + forged));
			assertThat(output).contains("APPLICATION FAILED TO START")
				.contains("does not match the token's pin " + otherCa)
				.contains("the token was created by another edge")
				.contains("Use a token created by the edge the application should reach")
				.doesNotContain("Obtained origin certificate");
		}
	}

	@Test
	void explicitPropertiesWinOverTheToken() throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			ConnectorToken genuine = ConnectorToken.decode(tokenFor(edge));
			String misleading = new ConnectorToken(genuine.id(), genuine.secret(), List.of("127.0.0.1:1"),
					genuine.provisioningUrl(), genuine.caPin()).encode();
			ConfigurableApplicationContext app = TunnelTestSupport.startApp(HOST, "--warp.token=" + misleading,
					"--warp.edge.addresses=127.0.0.1:" + edge.tunnelPort(),
					"--warp.edge.ca-certificate=" + edge.caCertificateFile(),
					"--warp.credentials-dir=" + TunnelTestSupport.newCredentialsDir());
			try {
				TunnelTestSupport.visitor(edge, HOST).get().uri("/hello").exchange().expectStatus().isOk();
			}
			finally {
				app.close();
			}
		}
	}

	@Test
	void aDamagedTokenFailsStartupSayingSo(CapturedOutput output) throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			String token = tokenFor(edge);
			assertThatException().isThrownBy(() -> run("--warp.token=" + token.substring(0, token.length() - 6)));
			assertThat(output).contains("APPLICATION FAILED TO START")
				.contains("the token is damaged")
				.contains("Set warp.token (WARP_TOKEN) to the whole token");
		}
	}

	/** A connector token naming the test edge on loopback, where it listens on free ports. */
	private static String tokenFor(EdgeNode edge) {
		return edge.createConnectorToken(List.of("example.test")).encode();
	}

	private static int count(String text, String part) {
		return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
	}

	/** Starts the sample app without waiting for its tunnel. */
	private ConfigurableApplicationContext run(String... args) {
		List<String> all = new ArrayList<>(List.of("--server.port=0", "--warp.hostname=" + HOST, "--warp.connections=1",
				"--warp.reconnect.initial-delay=100ms", "--warp.reconnect.max-delay=1s",
				"--warp.credentials-dir=" + TunnelTestSupport.newCredentialsDir()));
		all.addAll(List.of(args));
		return new SpringApplicationBuilder(SampleApplication.class).run(all.toArray(String[]::new));
	}

}
