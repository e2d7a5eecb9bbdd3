package dev.warp.sample.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.warp.edge.EdgeNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * BoringSSL (netty-tcnative) is optional: an application whose class path lacks it tunnels
 * through the JDK's TLS.
 */
class TunnelWithoutBoringSslTests {

	private static final String HOST = "jdk-tls.warp.test";

	@TempDir
	Path dir;

	@Test
	void applicationWithoutNettyTcnativeIsServedThroughTheJdksTls() throws Exception {
		try (EdgeNode edge = TunnelTestSupport.startEdge(this.dir.resolve("edge"))) {
			Path ca = edge.caCertificateFile();
			ForkedJvm app = ForkedJvm.startWithout(this.dir.resolve("app.log"), List.of("-Xmx256m"),
					List.of("netty-tcnative"), "dev.warp.sample.SampleApplication", "--server.port=0",
					"--warp.hostname=" + HOST, "--warp.edge.addresses=127.0.0.1:" + edge.tunnelPort(),
					"--warp.edge.ca-certificate=" + ca,
					"--warp.credentials-dir=" + TunnelTestSupport.originCredentials(ca, HOST), "--warp.connections=1",
					"--warp.reconnect.initial-delay=200ms", "--warp.reconnect.max-delay=1s");
			try {
				HttpClient visitor = HttpClient.create()
					.baseUrl("http://127.0.0.1:" + edge.publicPort())
					.headers((headers) -> headers.set("Host", HOST));
				await().atMost(Duration.ofSeconds(90))
					.pollInterval(Duration.ofMillis(250))
					.failFast(() -> !app.isAlive())
					.until(() -> "hello".equals(visitor.get()
						.uri("/hello")
						.responseSingle((response, body) -> body.asString())
						.onErrorReturn("")
						.block(Duration.ofSeconds(5))));
				assertThat(app.output()).contains("TLS by the JDK");
			}
			finally {
				app.close();
			}
		}
	}

}
