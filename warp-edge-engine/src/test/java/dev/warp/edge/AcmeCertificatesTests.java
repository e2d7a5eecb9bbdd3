package dev.warp.edge;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.warp.edge.AcmeSettings.Challenge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Certificates from a real ACME CA (pebble, validating against the edge's listeners on
 * loopback): ordered when an agent registers a hostname or at the first handshake naming it,
 * within the tokens' zones only, by HTTP-01 or TLS-ALPN-01, renewed, retried after the CA was
 * down, and served again after a restart; a visitor's {@code curl} trusts them with the CA's root.
 */
class AcmeCertificatesTests {

	private static final String ZONE = "example.test";

	private static final String HOST = "shop.example.test";

	private static final Duration ISSUANCE = Duration.ofSeconds(60);

	@TempDir
	Path dir;

	private PebbleServer pebble;

	private EdgeNode edge;

	private TestAgent agent;

	@AfterEach
	void stop() throws Exception {
		if (this.agent != null) {
			this.agent.close();
		}
		if (this.edge != null) {
			this.edge.close();
		}
		if (this.pebble != null) {
			this.pebble.close();
		}
	}

	private EdgeNode startEdge(List<Challenge> challenges) {
		EdgeSettings.Builder settings = TestEdges.onLoopback(this.dir.resolve("edge"))
			.publicTls(EdgeSettings.PublicTls.issued(0, List.of("127.0.0.1")));
		settings.acme()
			.directoryUrl(this.pebble.directoryUrl())
			.email("operator@example.test")
			.acceptTerms(true)
			.trustedCaFile(this.pebble.httpsCa())
			.challenges(challenges)
			.retryBackoff(Duration.ofSeconds(1));
		this.edge = EdgeNode.start(settings.build());
		this.edge.tokens().create(List.of(ZONE));
		return this.edge;
	}

	/** Pebble, then an edge that orders from it by these challenges, then pebble started on the edge's ports. */
	private void start(List<Challenge> challenges, Duration validity) throws Exception {
		this.pebble = PebbleServer.prepare(this.dir.resolve("pebble"));
		startEdge(challenges);
		this.pebble.start(this.edge.publicPort(), this.edge.publicTlsPort(), validity);
	}

	private void register(String hostname) throws Exception {
		this.agent = TestAgent.connect(this.edge, hostname);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.edge.routeTable().select(hostname) != null);
	}

	private void awaitCertificate(String hostname) throws IOException {
		try {
			await().atMost(ISSUANCE).until(() -> this.edge.acme().current(hostname) != null);
		}
		catch (RuntimeException ex) {
			throw new AssertionError("No certificate for " + hostname + ": " + this.edge.acme().status() + "\npebble: "
					+ this.pebble.log(), ex);
		}
	}

	@Test
	void aRegisteredHostnameIsServedWithTheCasCertificateObtainedByHttp01() throws Exception {
		start(List.of(Challenge.HTTP_01), Duration.ofDays(90));
		register(HOST);
		awaitCertificate(HOST);
		assertThat(curl(HOST, "/hello")).isEqualTo("200 hello");
	}

	@Test
	void aHostnameWithinAZoneIsOrderedAtTheFirstHandshakeNamingIt() throws Exception {
		start(List.of(Challenge.HTTP_01), Duration.ofDays(90));
		// The first handshake orders it (and gets it, or the fallback if the order takes longer than
		// the handshake may wait).
		ServedCertificates.of(this.edge, "on-demand.example.test");
		awaitCertificate("on-demand.example.test");
		// No agent serves it: the edge answers 503, over a certificate the visitor trusts.
		assertThat(curl("on-demand.example.test", "/hello")).startsWith("503");
	}

	@Test
	void aChallengePathIsAnsweredByTheEdgeAndNeverForwarded() throws Exception {
		this.pebble = PebbleServer.prepare(this.dir.resolve("pebble"));
		startEdge(List.of(Challenge.HTTP_01));
		register(HOST);
		Visitor.Response response = Visitor.get(this.edge, HOST, "/.well-known/acme-challenge/no-such-token");
		assertThat(response.status()).isEqualTo(404);
		assertThat(Visitor.get(this.edge, HOST, "/hello").body()).isEqualTo("hello");
		assertThat(this.agent.requests).contains("/hello").noneMatch((path) -> path.startsWith("/.well-known/acme-challenge/"));
	}

	@Test
	void aNameOutsideEveryZoneGetsTheFallbackAndNoOrder() throws Exception {
		start(List.of(Challenge.HTTP_01), Duration.ofDays(90));
		X509Certificate served = servedCertificate("elsewhere.test");
		assertThat(served.getIssuerX500Principal().getName()).doesNotContain("Pebble");
		assertThat(this.edge.acme().status()).isEmpty();
		assertThat(this.pebble.log()).doesNotContain("elsewhere.test");
	}

	@Test
	void tlsAlpn01IsAnsweredOnTheTlsListener() throws Exception {
		// The only challenge type the edge accepts: the CA validated by a handshake on the TLS listener.
		start(List.of(Challenge.TLS_ALPN_01), Duration.ofDays(90));
		register(HOST);
		awaitCertificate(HOST);
		assertThat(curl(HOST, "/hello")).isEqualTo("200 hello");
	}

	@Test
	void aCertificateIsRenewedWithAThirdOfItsLifetimeLeft() throws Exception {
		start(List.of(Challenge.HTTP_01), Duration.ofSeconds(15));
		register(HOST);
		awaitCertificate(HOST);
		X509Certificate first = servedCertificate(HOST);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> !servedCertificate(HOST).getSerialNumber().equals(first.getSerialNumber()));
		assertThat(servedCertificate(HOST).getNotAfter()).isAfter(first.getNotAfter());
	}

	@Test
	void whileTheCaIsDownTheFallbackIsServedAndTheOrderRetriedLater() throws Exception {
		this.pebble = PebbleServer.prepare(this.dir.resolve("pebble"));
		startEdge(List.of(Challenge.HTTP_01));
		register(HOST);
		await().atMost(ISSUANCE).until(() -> this.edge.acme().failedCount() > 0);
		assertThat(this.edge.acme().status()).singleElement()
			.satisfies((status) -> assertThat(status.lastError()).isNotNull());
		assertThat(servedCertificate(HOST).getIssuerX500Principal().getName()).doesNotContain("Pebble");
		this.pebble.start(this.edge.publicPort(), this.edge.publicTlsPort(), Duration.ofDays(90));
		awaitCertificate(HOST);
		assertThat(curl(HOST, "/hello")).isEqualTo("200 hello");
	}

	@Test
	void aFailedOrderShowsInStatusAndMetrics() throws Exception {
		this.pebble = PebbleServer.prepare(this.dir.resolve("pebble"));
		startEdge(List.of(Challenge.HTTP_01));
		register(HOST);
		await().atMost(ISSUANCE).until(() -> this.edge.acme().failedCount() > 0);
		String status = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.edge.apiPort() + "/status")).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
		assertThat(status).contains("\"acme\":{\"" + HOST + "\":{\"notAfter\":null,\"renewAt\":null,\"lastError\":\"");
		assertThat(this.edge.meterRegistry().get("warp.edge.acme.orders").tag("outcome", "failed").functionCounter().count())
			.isPositive();
	}

	@Test
	void aRestartServesTheStoredCertificateWithoutAnotherOrder() throws Exception {
		start(List.of(Challenge.HTTP_01), Duration.ofDays(90));
		register(HOST);
		awaitCertificate(HOST);
		X509Certificate issued = servedCertificate(HOST);
		this.agent.close();
		this.agent = null;
		this.edge.close();
		startEdge(List.of(Challenge.HTTP_01));
		assertThat(this.edge.acme().current(HOST)).isNotNull();
		assertThat(servedCertificate(HOST).getSerialNumber()).isEqualTo(issued.getSerialNumber());
		assertThat(this.edge.acme().issuedCount()).isZero();
		Path stored = this.dir.resolve("edge/acme/certificates/" + HOST + ".pem");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored))).isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(this.dir.resolve("edge/acme/account-key.pem"))))
			.isEqualTo("rw-------");
	}

	/** {@code curl --cacert <pebble's root> https://<hostname>/...} through the edge: status and body. */
	private String curl(String hostname, String path) throws Exception {
		Path root = this.pebble.writeRoot();
		int port = this.edge.publicTlsPort();
		Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "30", "--cacert", root.toString(), "--resolve",
				hostname + ":" + port + ":127.0.0.1", "-w", "\\n%{http_code}",
				"https://" + hostname + ":" + port + path)
			.redirectErrorStream(true)
			.start();
		String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(curl.waitFor(40, TimeUnit.SECONDS)).isTrue();
		assertThat(curl.exitValue()).as(out).isZero();
		// -w writes the status on a line after the body.
		int newline = out.lastIndexOf('\n');
		return (out.substring(newline + 1) + " " + out.substring(0, newline)).trim();
	}

	private X509Certificate servedCertificate(String hostname) throws Exception {
		return ServedCertificates.of(this.edge, hostname);
	}

}
