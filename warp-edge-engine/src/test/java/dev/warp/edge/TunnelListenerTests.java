package dev.warp.edge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.protocol.ControlMessage;
import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.TestAgent.ControlMode;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The tunnel listener: TLS, ALPN, the control stream and registration, the edge's credentials
 * across restarts.
 */
@ExtendWith(OutputCaptureExtension.class)
class TunnelListenerTests {

	private static final String HOST = "shop.example.test";

	@TempDir
	Path dataDir;

	@TempDir
	Path otherDir;

	private EdgeNode edge;

	@AfterEach
	void stop() {
		if (this.edge != null) {
			this.edge.close();
		}
	}

	private EdgeNode start(Duration registrationTimeout) {
		return start(settings().registrationTimeout(registrationTimeout));
	}

	private EdgeNode start(EdgeSettings.Builder settings) {
		this.edge = EdgeNode.start(settings.build());
		return this.edge;
	}

	private EdgeSettings.Builder settings() {
		return EdgeSettings.builder()
			.nodeId("edge-tls")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(this.dataDir);
	}

	@Test
	void measuresEachConnectionsRoundTripWithHeartbeats() throws Exception {
		EdgeNode node = start(settings().heartbeat(Duration.ofMillis(100), 3));
		try (TestAgent agent = TestAgent.connect(node, HOST)) {
			await().atMost(Duration.ofSeconds(3)).until(() -> node.routeTable().select(HOST) != null
					&& node.routeTable().select(HOST).rttNanos() > 0);
		}
	}

	@Test
	void agentThatStopsAnsweringHeartbeatsLeavesRoutingAndIsClosed(CapturedOutput output) throws Exception {
		EdgeNode node = start(settings().heartbeat(Duration.ofMillis(100), 3));
		try (TestAgent agent = TestAgent.connect(node.tunnelPort(), node.caCertificateFile(), HOST,
				ControlMode.REGISTER_DEAF)) {
			await().atMost(Duration.ofSeconds(2)).until(() -> node.routeTable().select(HOST) != null);
			assertThat(agent.channel().closeFuture().await(3, TimeUnit.SECONDS)).isTrue();
			assertThat(node.routeTable().select(HOST)).isNull();
			assertThat(output).contains("the agent stopped answering: 3 heartbeats in a row went unanswered");
		}
	}

	@Test
	void opensTheControlStreamAndRoutesOnRegister() throws Exception {
		EdgeNode node = start(Duration.ofSeconds(5));
		try (TestAgent agent = TestAgent.connect(node, HOST)) {
			Http2Headers control = agent.controlHeaders.get(5, TimeUnit.SECONDS);
			assertThat(control.method()).hasToString("POST");
			assertThat(control.path()).hasToString(TunnelProtocol.CONTROL_PATH);
			assertThat(control.scheme()).hasToString("https");
			assertThat(control.authority()).hasToString("warp");
			assertThat(control.get(TunnelProtocol.CONTROL_HEADER)).hasToString("1");
			assertThat(control.get(TunnelProtocol.EDGE_NODE_HEADER)).hasToString("edge-tls");
			assertThat(agent.handshake.get()).isEqualTo("h2");
			assertThat(agent.fromEdge.poll(5, TimeUnit.SECONDS))
				.isEqualTo(ControlMessage.of(ControlMessage.REGISTERED).with("node", "edge-tls"));
			await().atMost(Duration.ofSeconds(2)).until(() -> node.routeTable().select(HOST) != null);
			assertThat(node.routeTable().select(HOST).agentId()).isEqualTo(agent.agentId);
			assertThat(Visitor.get(node, HOST, "/hello").body()).isEqualTo("hello");
		}
	}

	@Test
	void letsAgentsSendDataFramesOf64Kib() throws Exception {
		EdgeNode node = start(Duration.ofSeconds(5));
		try (TestAgent agent = TestAgent.connect(node, HOST)) {
			assertThat(agent.edgeSettings.get(5, TimeUnit.SECONDS).maxFrameSize()).isEqualTo(64 * 1024);
		}
	}

	@Test
	void readsARegisterLineSplitAcrossFrames() throws Exception {
		EdgeNode node = start(Duration.ofSeconds(5));
		try (TestAgent agent = TestAgent.connect(node.tunnelPort(), node.caCertificateFile(), HOST,
				ControlMode.REGISTER_SPLIT)) {
			await().atMost(Duration.ofSeconds(2)).until(() -> node.routeTable().select(HOST) != null);
			assertThat(Visitor.get(node, HOST, "/whoami").body()).isEqualTo(agent.agentId);
		}
	}

	@Test
	void closesAConnectionThatDoesNotRegisterInTime(CapturedOutput output) throws Exception {
		EdgeNode node = start(Duration.ofMillis(500));
		try (TestAgent agent = TestAgent.connect(node.tunnelPort(), node.caCertificateFile(), HOST, ControlMode.SILENT)) {
			agent.awaitControlStream();
			assertThat(agent.channel().closeFuture().await(3, TimeUnit.SECONDS)).isTrue();
			assertThat(node.routeTable().hostnames()).isEmpty();
			assertThat(output).contains("the agent did not register within 500 ms");
		}
	}

	@Test
	void closesAConnectionWhoseControlStreamIsRefused(CapturedOutput output) throws Exception {
		EdgeNode node = start(Duration.ofSeconds(5));
		try (TestAgent agent = TestAgent.connect(node.tunnelPort(), node.caCertificateFile(), HOST, ControlMode.REFUSE)) {
			assertThat(agent.channel().closeFuture().await(3, TimeUnit.SECONDS)).isTrue();
			assertThat(output).contains("the agent answered the control stream with status 404");
		}
	}

	@Test
	void agentThatDoesNotTrustTheEdgeFailsAndTheEdgeKeepsServing(CapturedOutput output) throws Exception {
		EdgeNode node = start(Duration.ofSeconds(5));
		CertificateAuthority.loadOrCreate(this.otherDir, "Some other CA");
		Path otherCa = this.otherDir.resolve("ca.pem");
		try (TestAgent untrusting = TestAgent.connect(node.tunnelPort(), otherCa, HOST, ControlMode.REGISTER)) {
			assertThatExceptionOfType(ExecutionException.class)
				.isThrownBy(() -> untrusting.handshake.get(5, TimeUnit.SECONDS))
				.withCauseInstanceOf(SSLHandshakeException.class);
		}
		// The JDK's client sends certificate_unknown, BoringSSL's internal_error: either way the
		// edge's one log line says what to give the agent.
		String remedy = "give it " + node.caCertificateFile();
		await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(output).contains(remedy));
		assertThat(output.toString().split(java.util.regex.Pattern.quote(remedy), -1)).hasSize(2);
		try (TestAgent agent = TestAgent.connect(node, HOST)) {
			await().atMost(Duration.ofSeconds(2)).until(() -> node.routeTable().select(HOST) != null);
			assertThat(Visitor.get(node, HOST, "/hello").body()).isEqualTo("hello");
		}
	}

	@Test
	void clientOfferingOtherProtocolsThanH2IsRefused(CapturedOutput output) throws Exception {
		EdgeNode node = start(Duration.ofSeconds(5));
		try (TestAgent http1 = TestAgent.connect(node.tunnelPort(), node.caCertificateFile(), HOST,
				new String[] { "http/1.1" }, "TLSv1.3")) {
			// No protocol in common: the handshake ends without one and the edge closes at once.
			assertThat(http1.channel().closeFuture().await(3, TimeUnit.SECONDS)).isTrue();
			assertThat(node.routeTable().select(HOST)).isNull();
		}
		await().atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(output).contains("edge refused agent 127.0.0.1:")
				.contains("it did not negotiate ALPN h2"));
	}

	@Test
	void clientWithoutAlpnIsClosedAfterTheHandshake(CapturedOutput output) throws Exception {
		EdgeNode node = start(Duration.ofSeconds(5));
		try (TestAgent noAlpn = TestAgent.connect(node.tunnelPort(), node.caCertificateFile(), HOST, null, "TLSv1.3")) {
			assertThat(noAlpn.handshake.get(5, TimeUnit.SECONDS)).isEqualTo("none");
			assertThat(noAlpn.channel().closeFuture().await(3, TimeUnit.SECONDS)).isTrue();
		}
		assertThat(output).contains("it did not negotiate ALPN h2 (it offered none, or none the edge speaks)");
	}

	@Test
	void clientWithoutTls13IsRefused(CapturedOutput output) throws Exception {
		EdgeNode node = start(Duration.ofSeconds(5));
		try (TestAgent tls12 = TestAgent.connect(node.tunnelPort(), node.caCertificateFile(), HOST,
				new String[] { "h2" }, "TLSv1.2")) {
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> tls12.handshake.get(5, TimeUnit.SECONDS))
				.withCauseInstanceOf(SSLHandshakeException.class);
		}
		await().atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(output).contains("edge refused agent 127.0.0.1:").contains("TLSv1.3"));
	}

	@Test
	void keepsItsCaAndCertificateAcrossRestarts() throws Exception {
		EdgeNode first = start(Duration.ofSeconds(5));
		byte[] ca = Files.readAllBytes(first.caCertificateFile());
		byte[] certificate = Files.readAllBytes(this.dataDir.resolve("edge.pem"));
		first.close();
		EdgeNode second = start(Duration.ofSeconds(5));
		assertThat(second.caCertificateFile()).isEqualTo(this.dataDir.resolve("ca.pem"));
		assertThat(Files.readAllBytes(second.caCertificateFile())).isEqualTo(ca);
		assertThat(Files.readAllBytes(this.dataDir.resolve("edge.pem"))).isEqualTo(certificate);
		// An agent that kept the CA file from before the restart still connects.
		Path keptCa = this.otherDir.resolve("kept-ca.pem");
		Files.write(keptCa, ca);
		try (TestAgent agent = TestAgent.connectWith(second.tunnelPort(), keptCa, HOST,
				TestAgent.issuedBeside(second.caCertificateFile(), HOST))) {
			await().atMost(Duration.ofSeconds(2)).until(() -> second.routeTable().select(HOST) != null);
		}
	}

}
