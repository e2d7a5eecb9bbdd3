package dev.warp.sample.tunnel;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.warp.agent.WarpTunnel;
import dev.warp.edge.EdgeNode;
import dev.warp.edge.EdgeSettings;
import dev.warp.sample.SampleApplication;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Starts a real edge and real sample applications on loopback, and makes visitors for them.
 * Visitors connect from 127.0.0.2 so that the visitor's address differs from the edge's.
 */
final class TunnelTestSupport {

	static final String VISITOR_IP = "127.0.0.2";

	private TunnelTestSupport() {
	}

	static EdgeNode startEdge(Path dataDir) {
		return EdgeNode.start(EdgeSettings.builder()
			.nodeId("edge-test")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.dataDir(dataDir)
			.build());
	}

	/** Starts the sample app with the test probes, and waits until its tunnel is registered. */
	static ConfigurableApplicationContext startApp(EdgeNode edge, String hostname, String... extraArgs) {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--warp.hostname=" + hostname,
				"--warp.edge.addresses=127.0.0.1:" + edge.tunnelPort(),
				"--warp.edge.ca-certificate=" + edge.caCertificateFile(), "--warp.connections=1",
				"--warp.grace-period=5s", "--warp.reconnect.initial-delay=100ms", "--warp.reconnect.max-delay=1s",
				"--sample.instance-id=" + hostname));
		args.addAll(List.of(extraArgs));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class,
				TunnelProbeConfiguration.class)
			.run(args.toArray(String[]::new));
		context.getBean(WarpTunnel.class).registered().block(Duration.ofSeconds(20));
		return context;
	}

	/** A Reactor Netty client that connects to the edge's public port from {@link #VISITOR_IP}. */
	static HttpClient visitorHttpClient(EdgeNode edge, int maxConnections) {
		return HttpClient.create(ConnectionProvider.builder("visitor").maxConnections(maxConnections).build())
			.baseUrl("http://127.0.0.1:" + edge.publicPort())
			.bindAddress(() -> new InetSocketAddress(VISITOR_IP, 0))
			.responseTimeout(Duration.ofSeconds(30));
	}

	/** A WebTestClient visitor sending {@code Host: hostname} to the edge. */
	static WebTestClient visitor(EdgeNode edge, String hostname) {
		return WebTestClient.bindToServer(new ReactorClientHttpConnector(visitorHttpClient(edge, 16)))
			.baseUrl("http://127.0.0.1:" + edge.publicPort())
			.defaultHeader("Host", hostname)
			.responseTimeout(Duration.ofSeconds(30))
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
			.build();
	}

}
