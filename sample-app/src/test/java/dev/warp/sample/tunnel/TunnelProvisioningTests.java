package dev.warp.sample.tunnel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.warp.agent.ReconnectReason;
import dev.warp.agent.WarpTunnel;
import dev.warp.agent.internal.credentials.CredentialsStore;
import dev.warp.edge.EdgeNode;
import dev.warp.edge.EdgeSettings;
import dev.warp.edge.provisioning.ProvisioningSettings;
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
 * The whole provisioning flow with the real edge and the real sample app: an account token and
 * an empty credentials directory become an origin certificate and a served request; a restart
 * reuses the certificate; a certificate that expires while connected is renewed without the
 * tunnel going down; and misconfiguration stops startup with an explanation.
 */
@ExtendWith(OutputCaptureExtension.class)
class TunnelProvisioningTests {

	static final String HOST = "shop.example.test";

	@TempDir
	Path dir;

	@Test
	void tokenAndAnEmptyCredentialsDirectoryBecomeACertificateAndAServedRequest(CapturedOutput output)
			throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			String token = edge.tokens().create(List.of("example.test")).secret();
			Path credentials = this.dir.resolve("credentials");
			ConfigurableApplicationContext app = TunnelTestSupport.startApp(HOST, arguments(edge, token, credentials));
			try {
				TunnelTestSupport.visitor(edge, HOST).get().uri("/hello").exchange().expectStatus().isOk()
					.expectBody(String.class).isEqualTo("hello");
				Path hostDir = credentials.resolve(HOST);
				assertThat(permissions(hostDir)).isEqualTo("rwx------");
				assertThat(permissions(hostDir.resolve(CredentialsStore.KEY_FILE))).isEqualTo("rw-------");
				assertThat(permissions(hostDir.resolve(CredentialsStore.CERTIFICATE_FILE))).isEqualTo("rw-------");
				String secret = token.substring(token.indexOf('.') + 1);
				try (var files = Files.walk(credentials)) {
					for (Path file : files.filter(Files::isRegularFile).toList()) {
						assertThat(Files.readString(file)).doesNotContain(secret);
					}
				}
				assertThat(output).contains("Obtained origin certificate").doesNotContain(secret);
				assertThat(app.getBean(WarpTunnel.class).settings().toString()).doesNotContain(secret);
			}
			finally {
				app.close();
			}
		}
	}

	@Test
	void restartWithExistingCredentialsDoesNotContactTheProvisioningApi() throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			String token = edge.tokens().create(List.of("example.test")).secret();
			Path credentials = this.dir.resolve("credentials");
			ConfigurableApplicationContext first = TunnelTestSupport.startApp(HOST, arguments(edge, token, credentials));
			String serial = first.getBean(WarpTunnel.class).credentials().serial();
			first.close();
			// Nothing listens at the provisioning URL now, and the token is revoked: the restart can
			// only work with what is on disk.
			edge.tokens().revoke(edge.tokens().list().get(0).id());
			String[] offline = arguments(edge, token, credentials);
			offline[offline.length - 1] = "--warp.edge.provisioning-url=https://127.0.0.1:1";
			ConfigurableApplicationContext second = TunnelTestSupport.startApp(HOST, offline);
			try {
				WarpTunnel tunnel = second.getBean(WarpTunnel.class);
				assertThat(tunnel.credentials().serial()).isEqualTo(serial);
				assertThat(tunnel.provisioningFailures()).isZero();
				TunnelTestSupport.visitor(edge, HOST).get().uri("/hello").exchange().expectStatus().isOk();
			}
			finally {
				second.close();
			}
		}
	}

	@Test
	void certificateThatExpiresWhileConnectedIsRenewedAndTheTunnelStaysUp() throws Exception {
		// Renewed after two thirds of 9 s; the edge closes connections whose certificate expired.
		try (EdgeNode edge = EdgeNode.start(EdgeSettings.builder()
			.nodeId("edge-renewal")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.dataDir(this.dir.resolve("edge"))
			.provisioning(ProvisioningSettings.defaults().withPort(0).withCertificateLifetime(Duration.ofSeconds(9)))
			.build())) {
			String token = edge.tokens().create(List.of("example.test")).secret();
			List<String> args = new ArrayList<>(List.of(arguments(edge, token, this.dir.resolve("credentials"))));
			args.add("--warp.connections=2");
			ConfigurableApplicationContext app = TunnelTestSupport.startApp(HOST, args.toArray(String[]::new));
			try {
				WarpTunnel tunnel = app.getBean(WarpTunnel.class);
				String firstSerial = tunnel.credentials().serial();
				long expiresAt = tunnel.credentials().notAfter().toEpochMilli();
				Set<String> serials = ConcurrentHashMap.newKeySet();
				List<Integer> statuses = new ArrayList<>();
				var visitor = TunnelTestSupport.visitor(edge, HOST);
				// Visit steadily until well past the first certificate's expiry.
				while (System.currentTimeMillis() < expiresAt + 4000) {
					// The body is read, so the visitor's connection goes back to its pool for the next request.
					statuses.add(visitor.get().uri("/hello").exchange()
						.expectBody(String.class).returnResult().getStatus().value());
					serials.add(tunnel.credentials().serial());
					Thread.sleep(100);
				}
				assertThat(statuses).isNotEmpty().allSatisfy((status) -> assertThat(status).isEqualTo(200));
				assertThat(tunnel.credentials().serial()).isNotEqualTo(firstSerial);
				assertThat(tunnel.credentials().notAfter().toEpochMilli()).isGreaterThan(expiresAt);
				assertThat(serials).contains(firstSerial).hasSizeGreaterThan(1);
				assertThat(tunnel.registeredConnections()).isEqualTo(2);
				assertThat(tunnel.statistics().reconnects(ReconnectReason.CERTIFICATE_RENEWED)).isGreaterThanOrEqualTo(2);
			}
			finally {
				app.close();
			}
		}
	}

	@Test
	void tokenForAnotherZoneFailsStartupExplainingWhy(CapturedOutput output) throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			String token = edge.tokens().create(List.of("other.test")).secret();
			assertThatException().isThrownBy(() -> run(arguments(edge, token, this.dir.resolve("credentials"))));
			assertThat(output).contains("APPLICATION FAILED TO START")
				.contains("the account token (warp.token) is not valid for this hostname")
				.contains("answered 403")
				.contains("Use a token whose zone covers " + HOST);
		}
	}

	@Test
	void unknownTokenFailsStartupExplainingWhy(CapturedOutput output) throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			assertThatException().isThrownBy(
					() -> run(arguments(edge, "warp_000000000000.wrong", this.dir.resolve("credentials"))));
			assertThat(output).contains("APPLICATION FAILED TO START")
				.contains("the edge refused the account token (warp.token)")
				.contains("answered 401")
				.contains("token create --zone");
		}
	}

	@Test
	void missingTokenWithoutCredentialsFailsStartupExplainingWhy(CapturedOutput output) throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			String[] args = arguments(edge, "", this.dir.resolve("credentials"));
			assertThatException().isThrownBy(() -> run(args));
			assertThat(output).contains("APPLICATION FAILED TO START")
				.contains("no account token is configured")
				.contains("Set warp.token");
		}
	}

	@Test
	void unwritableCredentialsDirectoryFailsStartupExplainingWhy(CapturedOutput output) throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			String token = edge.tokens().create(List.of("example.test")).secret();
			Path notADirectory = Files.writeString(this.dir.resolve("a-file"), "in the way");
			assertThatException().isThrownBy(() -> run(arguments(edge, token, notADirectory)));
			assertThat(output).contains("APPLICATION FAILED TO START")
				.contains("Cannot use the credentials directory")
				.contains("warp.credentials-dir");
		}
	}

	@Test
	void unreachableEdgeDoesNotStopStartupByDefault() throws Exception {
		ConfigurableApplicationContext app = run(offlineArguments());
		try {
			WarpTunnel tunnel = app.getBean(WarpTunnel.class);
			assertThat(tunnel.isRunning()).isTrue();
			assertThat(tunnel.credentials()).isNull();
			assertThat(tunnel.provisioningFailures()).isPositive();
		}
		finally {
			app.close();
		}
	}

	@Test
	void unreachableEdgeFailsStartupAfterTheConfiguredWait(CapturedOutput output) {
		List<String> args = new ArrayList<>(List.of(offlineArguments()));
		args.add("--warp.startup.wait-for-edge=1s");
		long started = System.nanoTime();
		assertThatException().isThrownBy(() -> run(args.toArray(String[]::new)));
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("did not reach an edge within warp.startup.wait-for-edge")
			.contains("warp.startup.wait-for-edge=0");
	}

	private String[] offlineArguments() {
		Path ca = this.dir.resolve("edge");
		EdgeNode.start(EdgeSettings.builder()
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(ca)
			.build()).close();
		return new String[] { "--warp.edge.addresses=127.0.0.1:1",
				"--warp.edge.ca-certificate=" + ca.resolve("ca.pem"), "--warp.token=warp_000000000000.offline",
				"--warp.credentials-dir=" + this.dir.resolve("credentials"),
				"--warp.edge.provisioning-url=https://127.0.0.1:1" };
	}

	private static String[] arguments(EdgeNode edge, String token, Path credentials) {
		return new String[] { "--warp.edge.addresses=127.0.0.1:" + edge.tunnelPort(),
				"--warp.edge.ca-certificate=" + edge.caCertificateFile(), "--warp.token=" + token,
				"--warp.credentials-dir=" + credentials,
				"--warp.edge.provisioning-url=" + TunnelTestSupport.provisioningUrl(edge) };
	}

	/** Starts the sample app without waiting for its tunnel. */
	private static ConfigurableApplicationContext run(String... args) {
		List<String> all = new ArrayList<>(List.of("--server.port=0", "--warp.hostname=" + HOST, "--warp.connections=1",
				"--warp.reconnect.initial-delay=100ms", "--warp.reconnect.max-delay=1s"));
		all.addAll(List.of(args));
		return new SpringApplicationBuilder(SampleApplication.class).run(all.toArray(String[]::new));
	}

	private static String permissions(Path path) throws Exception {
		return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
	}

}
