package dev.warp.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A visitor of the edge's public listener: Reactor Netty's {@link HttpClient}, or a raw socket
 * where a request must be sent byte for byte.
 */
final class Visitor {

	static final Duration TIMEOUT = Duration.ofSeconds(20);

	private Visitor() {
	}

	/** An HTTP/1.1 client for the edge, sending {@code Host: host}. */
	static HttpClient http(EdgeNode edge, String host) {
		return HttpClient.create(ConnectionProvider.newConnection())
			.host("127.0.0.1")
			.port(edge.publicPort())
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, host));
	}

	/** An h2c (prior knowledge) client for the edge. */
	static HttpClient h2c(EdgeNode edge, String host) {
		return HttpClient.create(ConnectionProvider.newConnection())
			.protocol(HttpProtocol.H2C)
			.host("127.0.0.1")
			.port(edge.publicPort())
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, host));
	}

	/** GET, the whole body as a string. */
	static Response get(EdgeNode edge, String host, String path) {
		return get(http(edge, host), path);
	}

	static Response get(HttpClient client, String path) {
		return response(client.get().uri(path), TIMEOUT);
	}

	/** Sends the request: its response, the whole body as a string, within {@code timeout}. */
	static Response response(HttpClient.ResponseReceiver<?> request, Duration timeout) {
		return request.responseSingle((response, body) -> body.asString()
			.defaultIfEmpty("")
			.map((text) -> new Response(response.status().code(), response.responseHeaders(), text)))
			.block(timeout);
	}

	/**
	 * Downloads {@code size} bytes of the agent's {@code /download} through {@code client}, taking
	 * one chunk and then nothing for a while: the agent must stall with at most
	 * {@code agentMayBeAhead} bytes sent, and finish once the visitor reads again.
	 */
	static void assertSlowReaderStallsTheAgent(HttpClient client, TestAgent agent, long size, long agentMayBeAhead) {
		AtomicLong received = new AtomicLong();
		BaseSubscriber<ByteBuf> visitor = new BaseSubscriber<>() {

			@Override
			protected void hookOnSubscribe(Subscription subscription) {
				request(1);
			}

			@Override
			protected void hookOnNext(ByteBuf chunk) {
				received.addAndGet(chunk.readableBytes());
			}

		};
		client.get().uri("/download?size=" + size).responseContent().subscribe(visitor);
		await().atMost(Duration.ofSeconds(5)).until(() -> received.get() > 0);
		await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> {
			long before = agent.downloaded.get();
			Thread.sleep(300);
			return agent.downloaded.get() == before;
		});
		assertThat(agent.downloaded.get()).isLessThan(agentMayBeAhead);
		visitor.requestUnbounded();
		await().atMost(Duration.ofSeconds(30)).until(() -> received.get() == size);
		assertThat(agent.downloaded.get()).isEqualTo(size);
	}

	/**
	 * POSTs {@code chunks} random 64 KiB chunks to the agent's {@code /echo} through
	 * {@code client}, with their length declared or chunked, and checks that every byte came back
	 * in order.
	 */
	static void assertEchoesWhole(HttpClient client, int chunks, boolean declaredLength) {
		byte[] chunk = new byte[64 * 1024];
		ThreadLocalRandom.current().nextBytes(chunk);
		CRC32 sent = new CRC32();
		for (int i = 0; i < chunks; i++) {
			sent.update(chunk);
		}
		CRC32 received = new CRC32();
		AtomicLong length = new AtomicLong();
		Integer status = client.headers((headers) -> {
				headers.set("content-type", "application/octet-stream");
				if (declaredLength) {
					headers.set("content-length", (long) chunks * chunk.length);
				}
			})
			.post()
			.uri("/echo")
			.send(Flux.range(0, chunks).map((i) -> Unpooled.wrappedBuffer(chunk)))
			.response((response, body) -> body.doOnNext((buffer) -> {
				length.addAndGet(buffer.readableBytes());
				received.update(buffer.nioBuffer());
			}).then(Mono.just(response.status().code())))
			.blockLast(Duration.ofSeconds(60));
		assertThat(status).isEqualTo(200);
		assertThat(length).hasValue((long) chunks * chunk.length);
		assertThat(received.getValue()).isEqualTo(sent.getValue());
	}

	/**
	 * Sends a {@code POST} to {@code path} with {@code headers}, then its body in {@code parts}
	 * each {@code gap} after the one before, and reads the response until the edge closes the
	 * connection (the request asks it to).
	 */
	static String slowUpload(EdgeNode edge, String host, String path, String headers, Duration gap, String... parts)
			throws IOException, InterruptedException {
		try (Socket socket = new Socket("127.0.0.1", edge.publicPort())) {
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			OutputStream out = socket.getOutputStream();
			out.write(("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "Connection: close\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			for (String part : parts) {
				Thread.sleep(gap.toMillis());
				out.write(part.getBytes(StandardCharsets.US_ASCII));
				out.flush();
			}
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
		}
	}

	/**
	 * A chunked {@code POST /never} with {@code Expect: 100-continue}, which goes the general way:
	 * once the edge answered {@code 100 Continue}, its body and a {@code HEAD} pipelined behind it,
	 * read before the POST's answer (a {@code 504}) is written.
	 * @return what came after the {@code 100 Continue}, until the edge closed the connection
	 */
	static String continueWithAHeadBehind(EdgeNode edge, String host) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", edge.publicPort())) {
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			OutputStream out = socket.getOutputStream();
			out.write(("POST /never HTTP/1.1\r\nHost: " + host
					+ "\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			byte[] interim = socket.getInputStream().readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length());
			assertThat(new String(interim, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
			out.write(("5\r\nhello\r\n0\r\n\r\nHEAD /hello HTTP/1.1\r\nHost: " + host
					+ "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
		}
	}

	/** Sends raw bytes to the public port and reads until the edge closes the connection. */
	static String raw(EdgeNode edge, String request) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", edge.publicPort())) {
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream received = new ByteArrayOutputStream();
			in.transferTo(received);
			return received.toString(StandardCharsets.ISO_8859_1);
		}
	}

	/**
	 * Visitors who download a large body from the edge's public port and each take a trickle of it
	 * now and then, like phones on a bad link: never idle, never done. Closing them closes their
	 * sockets.
	 */
	static final class SlowDownloads implements AutoCloseable {

		private final List<Socket> sockets = new ArrayList<>();

		private final Thread reader = new Thread(this::trickle, "slow-visitors");

		/**
		 * Opens {@code count} downloads of 256 MiB each from {@code edge}, one after the other, and
		 * starts taking trickles of them.
		 */
		SlowDownloads(EdgeNode edge, String host, int count) throws IOException {
			try {
				for (int i = 0; i < count; i++) {
					Socket socket = new Socket("127.0.0.1", edge.publicPort());
					this.sockets.add(socket);
					socket.getOutputStream().write(("GET /download?size=" + (256 * 1024 * 1024) + " HTTP/1.1\r\nHost: "
							+ host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
					// One after the other, each answered before the next: they arrive as visitors do,
					// not as one burst.
					socket.setSoTimeout((int) TIMEOUT.toMillis());
					if (socket.getInputStream().read(new byte[1024]) < 0) {
						throw new IOException("The edge closed slow download " + i + " before answering it");
					}
				}
			}
			catch (IOException ex) {
				close();
				throw ex;
			}
			this.reader.setDaemon(true);
			this.reader.start();
		}

		private void trickle() {
			byte[] sip = new byte[1024];
			try {
				while (!Thread.currentThread().isInterrupted()) {
					for (Socket socket : this.sockets) {
						socket.getInputStream().read(sip);
					}
					Thread.sleep(200);
				}
			}
			catch (IOException | InterruptedException ex) {
				// The sockets close with the test.
			}
		}

		/**
		 * Waits until {@code agent} sent more than {@code bytes} of the downloads, and then less
		 * than 1 MiB per half second: what the path holds for them is full.
		 */
		void awaitHeld(TestAgent agent, long bytes) {
			long[] last = { -1 };
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
				long now = agent.downloaded.get();
				boolean held = now > bytes && now - last[0] < 1024 * 1024;
				last[0] = now;
				return held;
			});
		}

		@Override
		public void close() throws IOException {
			this.reader.interrupt();
			for (Socket socket : this.sockets) {
				socket.close();
			}
		}

	}

	record Response(int status, HttpHeaders headers, String body) {

		String ray() {
			return this.headers.get("Warp-Ray");
		}

	}

}
