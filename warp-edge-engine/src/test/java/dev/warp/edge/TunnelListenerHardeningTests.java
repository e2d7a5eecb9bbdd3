package dev.warp.edge;

import java.io.IOException;
import java.math.BigInteger;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.pki.PemFiles;
import dev.warp.edge.TestAgent.ClientCertificate;
import dev.warp.edge.provisioning.ProvisioningSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.internal.PlatformDependent;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hostile or broken peer on the tunnel port costs the edge nothing lasting: after each attack
 * the edge still serves every other hostname, and its file descriptors and Netty direct memory
 * come back to where they were, within a tolerance.
 */
class TunnelListenerHardeningTests {

	private static final String GOOD = "good.example.test";

	private static final String EVIL = "evil.example.test";

	/** Pooled buffers are cached by size class: some growth after a burst is not a leak. */
	private static final long DIRECT_MEMORY_TOLERANCE = 32L * 1024 * 1024;

	private static final long FD_TOLERANCE = 4;

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private CertificateAuthority ca;

	private TestAgent good;

	private long fdsBefore;

	private long directMemoryBefore;

	@BeforeEach
	void start() throws Exception {
		this.edge = EdgeNode.start(EdgeSettings.builder()
			.nodeId("edge-hardening")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.dataDir(this.dataDir)
			.registrationTimeout(Duration.ofSeconds(2))
			.provisioning(ProvisioningSettings.defaults().withPort(0))
			.build());
		this.ca = CertificateAuthority.loadOrCreate(this.dataDir, "unused");
		this.good = TestAgent.connectWith(this.edge.tunnelPort(), this.edge.caCertificateFile(), GOOD,
				ClientCertificate.issue(this.ca, GOOD));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select(GOOD) != null);
		// Warm up the pools and the visitor's connections, so that the baseline is a steady state.
		visit(GOOD, 200);
		this.fdsBefore = openFileDescriptors();
		this.directMemoryBefore = directMemory();
	}

	@AfterEach
	void stop() {
		this.good.close();
		this.edge.close();
	}

	@Test
	void agentResettingEveryStreamTheEdgeOpensCostsOnlyItsOwnRequests() throws Exception {
		try (TestAgent evil = registered(EVIL)) {
			List<Integer> statuses = Flux.range(0, 500)
				.flatMap((i) -> Visitor.http(this.edge, EVIL).get().uri("/reset").response()
					.map((response) -> response.status().code()), 32)
				.collectList()
				.block(Duration.ofSeconds(60));
			assertThat(statuses).hasSize(500).allSatisfy((status) -> assertThat(status).isEqualTo(502));
		}
		assertStillServesAndLeaksNothing();
	}

	@Test
	void visitorsCancellingManyRequestsDoNotCostTheTunnelConnection() throws Exception {
		try (TestAgent slow = registered(EVIL)) {
			TunnelConnectionProbe before = TunnelConnectionProbe.of(this.edge, EVIL);
			// Each cancelled visitor request makes the edge reset its stream on the tunnel.
			Flux.range(0, 400)
				.flatMap((i) -> Visitor.http(this.edge, EVIL)
					.responseTimeout(Duration.ofMillis(50))
					.get()
					.uri("/never")
					.response()
					.onErrorResume((ex) -> reactor.core.publisher.Mono.empty()), 50)
				.blockLast(Duration.ofSeconds(60));
			assertThat(TunnelConnectionProbe.of(this.edge, EVIL)).isEqualTo(before);
			assertThat(slow.channel().isActive()).isTrue();
		}
		assertStillServesAndLeaksNothing();
	}

	/** Which tunnel connection serves a hostname. */
	private record TunnelConnectionProbe(String id) {

		static TunnelConnectionProbe of(EdgeNode edge, String hostname) {
			var connection = edge.routeTable().select(hostname);
			return new TunnelConnectionProbe((connection != null) ? connection.id() : "none");
		}

	}

	@Test
	void floodOfResetFramesFromTheTunnelPeerClosesThatConnectionOnly() throws Exception {
		try (TestAgent evil = registered(EVIL)) {
			assertThat(Visitor.get(this.edge, EVIL, "/hello").status()).isEqualTo(200);
			ChannelHandlerContext h2 = evil.channel().pipeline().context(Http2FrameCodec.class);
			evil.channel().eventLoop().execute(() -> {
				// RST_STREAM for stream 3, which the edge opened for the request above: each frame is
				// legal alone, thousands of them are an attack.
				for (int i = 0; i < 10_000 && evil.channel().isActive(); i++) {
					h2.write(resetFrame(h2.alloc(), 3));
				}
				h2.flush();
			});
			await().atMost(Duration.ofSeconds(10)).until(() -> !evil.channel().isActive());
			assertThat(this.edge.routeTable().select(EVIL)).isNull();
		}
		assertStillServesAndLeaksNothing();
	}

	@Test
	void garbageBytesOnTheTunnelPortAreDropped() throws Exception {
		Random random = new Random(42);
		for (int i = 0; i < 20; i++) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.edge.tunnelPort()), 5000);
				socket.setSoTimeout(10_000);
				byte[] garbage = new byte[16 * 1024];
				random.nextBytes(garbage);
				assertThat(closedByPeer(socket, garbage)).isTrue();
			}
		}
		assertStillServesAndLeaksNothing();
	}

	@Test
	void clientHelloWithoutTheTunnelAlpnIsRefused() throws Exception {
		for (String[] alpn : new String[][] { null, { "http/1.1" } }) {
			try (TestAgent wrong = TestAgent.connect(this.edge.tunnelPort(), this.edge.caCertificateFile(), EVIL, alpn,
					"TLSv1.3")) {
				await().atMost(Duration.ofSeconds(5)).until(() -> !wrong.channel().isActive());
			}
		}
		assertThat(this.edge.routeTable().select(EVIL)).isNull();
		assertStillServesAndLeaksNothing();
	}

	@ParameterizedTest
	@EnumSource(BadCertificate.class)
	void badClientCertificateIsRefusedInTheHandshake(BadCertificate bad) throws Exception {
		ClientCertificate certificate = bad.make(this.ca, PemFiles.readPrivateKey(this.dataDir.resolve("ca-key.pem")));
		try (TestAgent agent = TestAgent.connectWith(this.edge.tunnelPort(), this.edge.caCertificateFile(), EVIL,
				certificate)) {
			await().atMost(Duration.ofSeconds(5)).until(() -> !agent.channel().isActive());
			assertThat(agent.controlHeaders).isNotDone();
		}
		assertThat(this.edge.routeTable().select(EVIL)).isNull();
		assertStillServesAndLeaksNothing();
	}

	/** Origin certificates the edge must refuse. */
	enum BadCertificate {

		EXPIRED {
			@Override
			ClientCertificate make(CertificateAuthority edgeCa, PrivateKey caKey) {
				CertificateAuthority past = new CertificateAuthority(edgeCa.certificate(), caKey,
						Clock.offset(Clock.systemUTC(), Duration.ofDays(-2)));
				return issue(past, Duration.ofDays(1));
			}
		},

		NOT_YET_VALID {
			@Override
			ClientCertificate make(CertificateAuthority edgeCa, PrivateKey caKey) {
				CertificateAuthority future = new CertificateAuthority(edgeCa.certificate(), caKey,
						Clock.offset(Clock.systemUTC(), Duration.ofDays(2)));
				return issue(future, Duration.ofDays(1));
			}
		},

		SELF_SIGNED {
			@Override
			ClientCertificate make(CertificateAuthority edgeCa, PrivateKey caKey) throws Exception {
				KeyPair keys = KeyPairs.generate();
				X500Name name = new X500Name("CN=" + EVIL);
				Instant now = Instant.now();
				X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
						new JcaX509v3CertificateBuilder(name, BigInteger.TEN, Date.from(now.minusSeconds(60)),
								Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic())
							.addExtension(Extension.subjectAlternativeName, false,
									new GeneralNames(new GeneralName(GeneralName.dNSName, EVIL)))
							.addExtension(Extension.extendedKeyUsage, false,
									new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
							.build(new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(keys.getPrivate())));
				return new ClientCertificate(keys.getPrivate(), certificate);
			}
		},

		FROM_ANOTHER_CA {
			@Override
			ClientCertificate make(CertificateAuthority edgeCa, PrivateKey caKey) {
				return issue(CertificateAuthority.create("Warp Edge CA", Clock.systemUTC()), Duration.ofDays(1));
			}
		};

		abstract ClientCertificate make(CertificateAuthority edgeCa, PrivateKey caKey) throws Exception;

		static ClientCertificate issue(CertificateAuthority ca, Duration validity) {
			KeyPair keys = KeyPairs.generate();
			return new ClientCertificate(keys.getPrivate(),
					ca.issueClientCertificate(keys.getPublic(), EVIL, List.of(EVIL), validity), ca.certificate());
		}

	}

	private TestAgent registered(String hostname) throws Exception {
		TestAgent agent = TestAgent.connectWith(this.edge.tunnelPort(), this.edge.caCertificateFile(), hostname,
				ClientCertificate.issue(this.ca, hostname));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select(hostname) != null);
		return agent;
	}

	private void assertStillServesAndLeaksNothing() {
		visit(GOOD, 200);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(openFileDescriptors()).isLessThanOrEqualTo(this.fdsBefore + FD_TOLERANCE);
			assertThat(directMemory()).isLessThanOrEqualTo(this.directMemoryBefore + DIRECT_MEMORY_TOLERANCE);
		});
	}

	private void visit(String hostname, int requests) {
		List<String> bodies = Flux.range(0, requests)
			.flatMap((i) -> Visitor.http(this.edge, hostname).get().uri("/hello").responseSingle((response, body) -> body
				.asString()), 16)
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(bodies).hasSize(requests).allSatisfy((body) -> assertThat(body).isEqualTo("hello"));
	}

	private static ByteBuf resetFrame(ByteBufAllocator alloc, int streamId) {
		ByteBuf frame = alloc.buffer(13);
		frame.writeMedium(4);
		frame.writeByte(0x3);
		frame.writeByte(0);
		frame.writeInt(streamId);
		frame.writeInt(0x8);
		return frame;
	}

	/** Writes the bytes and reads until the peer closes; {@code false} when it keeps the connection open. */
	private static boolean closedByPeer(Socket socket, byte[] bytes) throws IOException {
		try {
			OutputStream out = socket.getOutputStream();
			out.write(bytes);
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[4096];
			while (in.read(buffer) >= 0) {
				// Whatever the edge answers (an alert) before it closes.
			}
			return true;
		}
		catch (SocketException ex) {
			// Reset by the edge: closed as well.
			return true;
		}
		catch (java.net.SocketTimeoutException ex) {
			return false;
		}
	}

	private static long openFileDescriptors() throws IOException {
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.count();
		}
	}

	private static long directMemory() {
		long used = Math.max(0, PlatformDependent.usedDirectMemory());
		if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
			used = Math.max(used, provider.metric().usedDirectMemory());
		}
		return used;
	}

}
