package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.warp.edge.EdgeNode;
import dev.warp.edge.EdgeSettings;
import dev.warp.sample.tunnel.HttpProbeConfiguration.HttpProbes;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HTTP/2 visitors: by prior knowledge over cleartext and by ALPN over TLS, many streams on one
 * connection, each its own stream down the tunnel and its own request in the application.
 */
class TunnelHttp2VisitorTests {

	static final String HOST = "h2.warp.test";

	@TempDir
	static Path dir;

	static EdgeNode edge;

	static ConfigurableApplicationContext app;

	static HttpProbes probes;

	@BeforeAll
	static void start() {
		edge = TunnelTestSupport.startEdge(dir.resolve("edge"),
				(settings) -> settings.publicTls(EdgeSettings.PublicTls.issued(0, List.of("*.warp.test", "127.0.0.1"))));
		app = TunnelTestSupport.startAppWith(List.of(HttpProbeConfiguration.class), edge, HOST);
		probes = app.getBean(HttpProbes.class);
	}

	@AfterAll
	static void stop() {
		TunnelTestSupport.close(app, edge);
	}

	@Test
	void hundredConcurrentStreamsOfOneVisitorConnectionAreHundredConcurrentRequestsInTheApplication() {
		AtomicInteger connections = new AtomicInteger();
		HttpClient h2c = HttpClient.create(ConnectionProvider.builder("h2c-visitor").maxConnections(1).build())
			.protocol(HttpProtocol.H2C)
			.baseUrl("http://127.0.0.1:" + edge.publicPort())
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, HOST))
			.doOnConnected((connection) -> {
				if (connection.channel().parent() == null) {
					connections.incrementAndGet();
				}
			})
			.responseTimeout(Duration.ofSeconds(60));
		var responses = Flux.range(0, 100)
			.flatMap((i) -> h2c.get().uri("/http/held").responseSingle((response, body) -> body.asString()
				.map((text) -> response.status().code() + " " + text)), 100)
			.collectList()
			.toFuture();
		// Every stream is in the application at once before any is answered.
		await().atMost(Duration.ofSeconds(30)).until(() -> probes.held.get() == 100);
		probes.release.tryEmitValue(true);
		List<String> answers = responses.join();
		assertThat(answers).hasSize(100).allMatch("200 released"::equals);
		assertThat(connections.get()).as("visitor connections").isLessThanOrEqualTo(1);
	}

	@Test
	void http2VisitorOverTlsByAlpnIsServedWithForwardedProtoHttps() throws Exception {
		HttpClient h2 = HttpClient.create(ConnectionProvider.newConnection())
			.protocol(HttpProtocol.H2)
			.secure((spec) -> spec.sslContext(Http2SslContextSpec.forClient()
				.configure((builder) -> builder.trustManager(edge.caCertificateFile().toFile()))))
			.baseUrl("https://127.0.0.1:" + edge.publicTlsPort())
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, HOST))
			.responseTimeout(Duration.ofSeconds(30));
		String[] version = new String[1];
		String seen = h2.get().uri("/probe/request").responseSingle((response, body) -> {
			version[0] = response.version().text();
			return body.asString();
		}).block(Duration.ofSeconds(30));
		assertThat(version[0]).isEqualTo("HTTP/2.0");
		assertThat(seen).contains("\"scheme\":\"https\"").contains("\"x-forwarded-proto\":[\"https\"]");
	}

}
