package dev.warp.sample.tunnel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warp.agent.OriginCredentials;
import dev.warp.agent.WarpTunnel;
import dev.warp.agent.internal.credentials.CredentialsStore;
import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.edge.EdgeNode;
import dev.warp.edge.EdgeSettings;
import dev.warp.sample.SampleApplication;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Starts a real edge and real sample applications on loopback, and makes visitors for them.
 * Visitors connect from 127.0.0.2 so that the visitor's address differs from the edge's.
 */
final class TunnelTestSupport {

	static final String VISITOR_IP = "127.0.0.2";

	/**
	 * Visitors' own event loops. Reactor Netty's global ones belong to whichever application
	 * context in this JVM closes first: Spring Boot disposes them with it, and would cut every
	 * visitor connection of a test that stops one replica of several.
	 */
	private static final LoopResources VISITOR_LOOPS = LoopResources.create("visitor", 2, true);

	private TunnelTestSupport() {
	}

	/**
	 * Closes what a test started, in the order given (the app before its edge), skipping what
	 * never started; the first failure is thrown once everything had its chance to close.
	 */
	static void close(AutoCloseable... parts) {
		IllegalStateException failure = null;
		for (AutoCloseable part : parts) {
			if (part == null) {
				continue;
			}
			try {
				part.close();
			}
			catch (Exception ex) {
				if (failure == null) {
					failure = new IllegalStateException("Could not close " + part, ex);
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

	static EdgeNode startEdge(Path dataDir) {
		return startEdge(dataDir, "edge-test");
	}

	static EdgeNode startEdge(Path dataDir, String nodeId) {
		return startEdge(dataDir, (settings) -> settings.nodeId(nodeId));
	}

	/**
	 * Starts the sample app with the test probes, and waits until its tunnel is registered. The app
	 * gets an account token for its hostname from the edge and provisions its origin certificate
	 * from the edge's provisioning API into an empty credentials directory, as in production.
	 */
	static ConfigurableApplicationContext startApp(EdgeNode edge, String hostname, String... extraArgs) {
		List<String> args = new ArrayList<>(List.of("--warp.edge.addresses=127.0.0.1:" + edge.tunnelPort(),
				"--warp.edge.ca-certificate=" + edge.caCertificateFile(),
				"--warp.token=" + edge.tokens().create(List.of(hostname)).secret(),
				"--warp.edge.provisioning-url=" + provisioningUrl(edge), "--warp.credentials-dir=" + newCredentialsDir()));
		args.addAll(List.of(extraArgs));
		return startApp(hostname, args.toArray(String[]::new));
	}

	/** Starts an edge on loopback that keeps its data in a new temporary directory. */
	static EdgeNode startEdgeInTempDir() {
		try {
			return startEdge(Files.createTempDirectory("test-edge-"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * What an application configured for production holds to reach the edge: its tunnel
	 * address, CA, provisioning API, an account token for the hostname and a credentials directory.
	 */
	static void productionConfiguration(DynamicPropertyRegistry registry, EdgeNode edge, String hostname,
			Path credentialsDir) {
		registry.add("warp.edge.addresses", () -> "127.0.0.1:" + edge.tunnelPort());
		registry.add("warp.edge.ca-certificate", () -> edge.caCertificateFile().toString());
		registry.add("warp.edge.provisioning-url", () -> provisioningUrl(edge));
		registry.add("warp.token", () -> edge.tokens().create(List.of(hostname)).secret());
		registry.add("warp.credentials-dir", credentialsDir::toString);
	}

	/** The edge's provisioning API. */
	static String provisioningUrl(EdgeNode edge) {
		return "https://127.0.0.1:" + edge.provisioningPort();
	}

	/** A new, empty credentials directory under the build's output, never the user's own. */
	static Path newCredentialsDir() {
		try {
			Path parent = Files.createDirectories(Path.of("target", "test-credentials"));
			return Files.createTempDirectory(parent.toAbsolutePath(), "credentials-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A new credentials directory holding an origin certificate for the hostname, issued by the CA
	 * whose key sits beside {@code caFile} (the edge's data directory): what an earlier run of the
	 * app would have left there.
	 */
	static Path originCredentials(Path caFile, String hostname) {
		Path dir = newCredentialsDir();
		CertificateAuthority ca = CertificateAuthority.loadOrCreate(caFile.toAbsolutePath().getParent(), "unused");
		KeyPair keys = KeyPairs.generate();
		new CredentialsStore(dir, hostname).save(new OriginCredentials(keys.getPrivate(), List.of(
				ca.issueClientCertificate(keys.getPublic(), hostname, List.of(hostname), Duration.ofDays(1)), ca.certificate())));
		return dir;
	}

	/**
	 * Starts the sample app with the test probes and waits until its tunnel is registered. Unless
	 * the arguments name a credentials directory, the app finds an origin certificate for its
	 * hostname in a new one, issued by the CA beside {@code warp.edge.ca-certificate} when that is
	 * an edge's data directory.
	 * @param args {@code --name=value} arguments; each overrides the test default of that name
	 */
	static ConfigurableApplicationContext startApp(String hostname, String... args) {
		return start(List.of(), hostname, args);
	}

	/**
	 * Starts the sample app with the test probes and further test configurations, and waits
	 * until its tunnel is registered.
	 * @param configurations added to the sample application and the probes
	 * @param args {@code --name=value} arguments; each overrides the test default of that name
	 */
	static ConfigurableApplicationContext startAppWith(List<Class<?>> configurations, EdgeNode edge, String hostname,
			String... args) {
		List<String> all = new ArrayList<>(List.of("--warp.edge.addresses=127.0.0.1:" + edge.tunnelPort(),
				"--warp.edge.ca-certificate=" + edge.caCertificateFile()));
		all.addAll(List.of(args));
		return start(configurations, hostname, all.toArray(String[]::new));
	}

	private static ConfigurableApplicationContext start(List<Class<?>> configurations, String hostname,
			String... args) {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("server.port", "0");
		properties.put("warp.hostname", hostname);
		properties.put("warp.connections", "1");
		properties.put("warp.grace-period", "5s");
		properties.put("warp.reconnect.initial-delay", "100ms");
		properties.put("warp.reconnect.max-delay", "1s");
		properties.put("sample.instance-id", hostname);
		for (String arg : args) {
			int eq = arg.indexOf('=');
			properties.put(arg.substring(2, eq), arg.substring(eq + 1));
		}
		if (!properties.containsKey("warp.credentials-dir")) {
			String caFile = properties.get("warp.edge.ca-certificate");
			boolean edgeDataDir = caFile != null
					&& Files.exists(Path.of(caFile).toAbsolutePath().resolveSibling(CertificateAuthority.KEY_FILE));
			properties.put("warp.credentials-dir",
					(edgeDataDir ? originCredentials(Path.of(caFile), hostname) : newCredentialsDir()).toString());
		}
		List<Class<?>> sources = new ArrayList<>(List.of(SampleApplication.class, TunnelProbeConfiguration.class));
		sources.addAll(configurations);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
			.run(properties.entrySet().stream().map((e) -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
		context.getBean(WarpTunnel.class).registered().block(Duration.ofSeconds(20));
		return context;
	}

	/** Starts an edge with settings of the test's choosing on top of the loopback defaults. */
	static EdgeNode startEdge(Path dataDir, java.util.function.UnaryOperator<EdgeSettings.Builder> customizer) {
		return EdgeNode.start(customizer.apply(EdgeSettings.builder()
			.nodeId("edge-test")
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(dataDir)).build());
	}

	/**
	 * A second edge node of the same CA as the first, as an operator would set one up: the
	 * first node's ca.pem and ca-key.pem copied into its data directory before it starts.
	 */
	static EdgeNode startSecondNode(EdgeNode first, Path dataDir, String nodeId) throws IOException {
		Files.createDirectories(dataDir);
		Path firstDir = first.caCertificateFile().getParent();
		for (String file : List.of("ca.pem", "ca-key.pem")) {
			Files.copy(firstDir.resolve(file), dataDir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
		}
		return EdgeNode.start(EdgeSettings.builder()
			.nodeId(nodeId)
			.bindAddress("127.0.0.1")
			.publicPort(0)
			.tunnelPort(0)
			.apiPort(0)
			.provisioningPort(0)
			.dataDir(dataDir)
			.build());
	}

	/** A Reactor Netty client that connects to the edge's public port from {@link #VISITOR_IP}. */
	static HttpClient visitorHttpClient(EdgeNode edge, int maxConnections) {
		return HttpClient.create(ConnectionProvider.builder("visitor").maxConnections(maxConnections).build())
			.baseUrl("http://127.0.0.1:" + edge.publicPort())
			.runOn(VISITOR_LOOPS)
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
