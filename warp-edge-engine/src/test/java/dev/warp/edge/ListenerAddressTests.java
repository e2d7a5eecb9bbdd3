package dev.warp.edge;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The API listener tells whoever asks every hostname and agent address: it binds to loopback
 * unless the operator opens it, whatever address the other listeners bind to.
 */
class ListenerAddressTests {

	@TempDir
	Path dataDir;

	@Test
	void apiListensOnLoopbackOnlyWhileTheOtherListenersTakeTheBindAddress() throws Exception {
		// Another loopback address stands for the machine's public interfaces.
		try (EdgeNode edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).bindAddress("127.0.0.2").build())) {
			assertThat(edge.settings().apiAddress()).isEqualTo("127.0.0.1");
			String status = HttpClient.create()
				.host("127.0.0.1")
				.port(edge.apiPort())
				.get()
				.uri("/status")
				.responseSingle((response, body) -> body.asString().map((text) -> response.status().code() + " " + text))
				.block(Visitor.TIMEOUT);
			assertThat(status).startsWith("200 ");
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> connect("127.0.0.2", edge.apiPort()));
			connect("127.0.0.2", edge.publicPort());
			connect("127.0.0.2", edge.tunnelPort());
		}
	}

	@Test
	void apiAddressOpensTheApiToAnotherAddress() throws Exception {
		try (EdgeNode edge = EdgeNode.start(TestEdges.onLoopback(this.dataDir).apiAddress("127.0.0.2").build())) {
			connect("127.0.0.2", edge.apiPort());
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> connect("127.0.0.1", edge.apiPort()));
		}
	}

	private static void connect(String host, int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 5_000);
		}
	}

}
