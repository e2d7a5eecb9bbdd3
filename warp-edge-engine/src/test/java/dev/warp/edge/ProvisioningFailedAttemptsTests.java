package dev.warp.edge;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.warp.core.pki.CertificateRequests;
import dev.warp.core.pki.KeyPairs;
import dev.warp.edge.provisioning.ProvisioningListener;
import dev.warp.edge.provisioning.ProvisioningSettings;
import io.micrometer.core.instrument.Counter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nobody can try tokens on the provisioning API faster than an application ever needs: a client
 * address refused a few times within a minute is answered 429 with {@code Retry-After}, without
 * its tokens being checked; the refusals are logged (a line a minute) and counted, and a client
 * at another address with a valid token is served meanwhile.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProvisioningFailedAttemptsTests {

	private static final int LIMIT = 5;

	@TempDir
	Path dataDir;

	private EdgeNode edge;

	private ConnectionProvider connections;

	@BeforeEach
	void start() {
		this.edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir)
			.provisioning(ProvisioningSettings.defaults().withPort(0).withFailedAttemptsPerMinute(LIMIT))
			.build());
		this.connections = ConnectionProvider.create("provisioning-test", 1);
	}

	@AfterEach
	void stop() {
		this.connections.dispose();
		this.edge.close();
	}

	@Test
	void addressThatFailedTooOftenIsAnswered429WhileAValidTokenFromAnotherAddressIsServed(CapturedOutput output)
			throws Exception {
		String valid = this.edge.tokens().create(List.of("example.test")).secret();
		String csr = CertificateRequests.create(KeyPairs.generate(), "a.example.test");
		HttpClient attacker = client("127.0.0.1");
		for (int i = 0; i < LIMIT; i++) {
			assertThat(post(attacker, "warp_0123456789ab.guess" + i, csr).status).isEqualTo(401);
		}
		Answer limited = post(attacker, "warp_0123456789ab.guess", csr);
		assertThat(limited.status).isEqualTo(429);
		assertThat(Integer.parseInt(limited.retryAfter)).isBetween(1, 60);
		// Its tokens are not even checked now, a valid one included.
		assertThat(post(attacker, valid, csr).status).isEqualTo(429);
		assertThat(post(client("127.0.0.2"), valid, csr).status).isEqualTo(200);
		assertThat(refused("token")).isEqualTo(LIMIT);
		assertThat(refused("too-many-failures")).isEqualTo(2);
		assertThat(output).contains("1 provisioning request(s) refused: 127.0.0.1: 401")
			.contains("provisioning request(s) answered 429");
	}

	private double refused(String reason) {
		Counter counter = this.edge.meterRegistry().find("warp.edge.provisioning.refused").tag("reason", reason).counter();
		return (counter != null) ? counter.count() : 0;
	}

	/** A client bound to a local address, keeping one connection open across requests where it may. */
	private HttpClient client(String localAddress) throws Exception {
		SslContext tls = SslContextBuilder.forClient().trustManager(this.edge.caCertificateFile().toFile()).build();
		return HttpClient.create(this.connections)
			.bindAddress(() -> new InetSocketAddress(localAddress, 0))
			.secure((spec) -> spec.sslContext(tls))
			.baseUrl("https://localhost:" + this.edge.provisioningPort());
	}

	private static Answer post(HttpClient client, String token, String body) {
		return client.headers((headers) -> headers.set("Authorization", "Bearer " + token))
			.post()
			.uri(ProvisioningListener.PATH)
			.send(ByteBufFlux.fromString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map((text) -> new Answer(response.status().code(), response.responseHeaders().get("Retry-After"))))
			.block(Duration.ofSeconds(10));
	}

	private record Answer(int status, String retryAfter) {
	}

}
