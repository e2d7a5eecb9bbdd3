package dev.warp.edge;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.pki.PemFiles;

/**
 * A real ACME CA for one test: Debian's {@code pebble} (Let's Encrypt's test CA), started as a
 * child process on free loopback ports, with its DNS answered by {@code pebble-challtestsrv}
 * (127.0.0.1 for every name), so that it validates challenges against the edge's listeners on
 * loopback. Validation is real ({@code PEBBLE_VA_ALWAYS_VALID} unset). On a machine without
 * pebble it installs Debian's package first.
 */
final class PebbleServer implements AutoCloseable {

	private final List<Process> processes = new ArrayList<>();

	private final Path directory;

	private final int port;

	private final int managementPort;

	private final Path httpsCa;

	private PebbleServer(Path directory, int port, int managementPort, Path httpsCa) {
		this.directory = directory;
		this.port = port;
		this.managementPort = managementPort;
		this.httpsCa = httpsCa;
	}

	/**
	 * A server not started yet, whose ACME directory URL and HTTPS CA are known already, so that
	 * an edge can be configured with them and started first (the CA validates against the edge's
	 * listeners, whose ports are known once they are bound).
	 * @param directory where its configuration, certificates and logs go
	 */
	static PebbleServer prepare(Path directory) throws IOException, InterruptedException {
		install();
		Files.createDirectories(directory);
		// Pebble's own HTTPS certificate, from a CA of the test's that the edge is told to trust.
		CertificateAuthority ca = CertificateAuthority.create("pebble-https-ca", Clock.systemUTC());
		KeyPair keys = KeyPairs.generate();
		Path httpsCa = directory.resolve("https-ca.pem");
		PemFiles.writeCertificates(httpsCa, ca.certificate());
		PemFiles.writeCertificates(directory.resolve("cert.pem"),
				ca.issueServerCertificate(keys.getPublic(), "localhost", List.of("localhost", "127.0.0.1"), Duration.ofDays(1)));
		PemFiles.writePrivateKey(directory.resolve("key.pem"), keys.getPrivate());
		return new PebbleServer(directory, FreePorts.next(), FreePorts.next(), httpsCa);
	}

	/**
	 * Starts pebble and its DNS, and waits until the ACME port answers.
	 * @param httpPort where pebble validates HTTP-01 (the edge's cleartext listener)
	 * @param tlsPort where pebble validates TLS-ALPN-01 (the edge's TLS listener)
	 * @param validity the lifetime of the certificates it issues
	 */
	PebbleServer start(int httpPort, int tlsPort, Duration validity) throws IOException, InterruptedException {
		int dnsPort = FreePorts.next();
		Path config = this.directory.resolve("pebble-config.json");
		Files.writeString(config, """
				{"pebble": {"listenAddress": "127.0.0.1:%d", "managementListenAddress": "127.0.0.1:%d",
				 "certificate": "%s", "privateKey": "%s", "httpPort": %d, "tlsPort": %d,
				 "ocspResponderURL": "", "externalAccountBindingRequired": false,
				 "certificateValidityPeriod": %d}}
				""".formatted(this.port, this.managementPort, this.directory.resolve("cert.pem"),
				this.directory.resolve("key.pem"), httpPort, tlsPort, validity.toSeconds()));
		ProcessBuilder dns = new ProcessBuilder("pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
				"-dns01", "127.0.0.1:" + dnsPort, "-http01", "", "-https01", "", "-tlsalpn01", "", "-management",
				"127.0.0.1:" + FreePorts.next())
			.redirectErrorStream(true)
			.redirectOutput(this.directory.resolve("dns.log").toFile());
		this.processes.add(dns.start());
		ProcessBuilder pebble = new ProcessBuilder("pebble", "-config", config.toString(), "-dnsserver",
				"127.0.0.1:" + dnsPort)
			.redirectErrorStream(true)
			.redirectOutput(this.directory.resolve("pebble.log").toFile());
		pebble.environment().put("PEBBLE_VA_NOSLEEP", "1");
		pebble.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
		pebble.environment().put("PEBBLE_AUTHZREUSE", "0");
		pebble.environment().remove("PEBBLE_VA_ALWAYS_VALID");
		this.processes.add(pebble.start());
		awaitListening();
		return this;
	}

	/** The ACME directory URL. */
	URI directoryUrl() {
		return URI.create("https://127.0.0.1:" + this.port + "/dir");
	}

	/** The CA that signed pebble's HTTPS certificate: what the edge must trust to reach it. */
	Path httpsCa() {
		return this.httpsCa;
	}

	/** Writes pebble's root, which signs the certificates it issues (new at each start), to a PEM file. */
	Path writeRoot() throws IOException, InterruptedException {
		HttpResponse<String> response = client().send(
				HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + this.managementPort + "/roots/0")).build(),
				HttpResponse.BodyHandlers.ofString());
		Path root = this.directory.resolve("root.pem");
		Files.writeString(root, response.body());
		return root;
	}

	private HttpClient client() {
		try {
			KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
			store.load(null, null);
			store.setCertificateEntry("ca", PemFiles.readCertificates(this.httpsCa).get(0));
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(store);
			SSLContext ssl = SSLContext.getInstance("TLS");
			ssl.init(null, trust.getTrustManagers(), null);
			return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void awaitListening() throws IOException, InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
		while (true) {
			try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
				return;
			}
			catch (IOException ex) {
				if (this.processes.stream().anyMatch((process) -> !process.isAlive()) || System.nanoTime() > deadline) {
					close();
					throw new IllegalStateException("pebble did not start: " + log(), ex);
				}
				Thread.sleep(50);
			}
		}
	}

	/** What pebble logged: why a validation failed, say. */
	String log() throws IOException {
		return Files.readString(this.directory.resolve("pebble.log"));
	}

	@Override
	public void close() throws InterruptedException {
		for (Process process : this.processes) {
			process.destroy();
		}
		for (Process process : this.processes) {
			if (!process.waitFor(5, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
		}
	}

	/** Debian's pebble package, which ships pebble-challtestsrv too, installed when missing. */
	private static void install() throws IOException, InterruptedException {
		if (DebianPackage.executable("pebble", "pebble") == null
				|| DebianPackage.executable("pebble", "pebble-challtestsrv") == null) {
			throw new IllegalStateException("pebble is not installed and could not be installed here; the ACME tests "
					+ "need a real ACME CA: apt-get install -y pebble");
		}
	}

}
