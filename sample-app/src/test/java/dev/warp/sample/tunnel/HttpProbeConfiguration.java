package dev.warp.sample.tunnel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * Test-only endpoints for HTTP through the tunnel: streams the test controls, work that records
 * its own cancellation, trailers, and a gRPC service framed by hand (unary {@code Say} and
 * server-streaming {@code Count}), so that no protoc step is needed.
 */
@TestConfiguration(proxyBeanMethods = false)
public class HttpProbeConfiguration {

	static final String GRPC_SERVICE = "warp.test.Echo";

	@Bean
	HttpProbes httpProbes() {
		return new HttpProbes();
	}

	@Bean
	RouterFunction<ServerResponse> httpProbeRoutes(HttpProbes probes) {
		return route()
			// One event at once, the next only when the test says so: the response stays open meanwhile.
			.GET("/http/gated-events", (request) -> {
				Flux<ServerSentEvent<String>> events = Flux.concat(
						Mono.fromSupplier(() -> {
							probes.firstEventEmittedNanos.set(System.nanoTime());
							return ServerSentEvent.builder("first").build();
						}),
						probes.gate.asMono().map((released) -> ServerSentEvent.builder("second").build()));
				return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
					.body(BodyInserters.fromServerSentEvents(events));
			})
			// A chunk every 50 ms, forever: only a cancellation stops it.
			.GET("/http/endless", (request) -> {
				Flux<DataBuffer> chunks = Flux.interval(Duration.ZERO, Duration.ofMillis(50))
					.onBackpressureDrop()
					.<DataBuffer>map((i) -> DefaultDataBufferFactory.sharedInstance.wrap(("chunk " + i + "\n").getBytes(StandardCharsets.US_ASCII)))
					.doOnSubscribe((subscription) -> probes.endlessStarted.complete(System.nanoTime()))
					.doOnCancel(() -> probes.endlessCancelled.add(System.nanoTime()));
				return ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).body(BodyInserters.fromDataBuffers(chunks));
			})
			// Held open by the test: counts requests in flight at once.
			.GET("/http/held", (request) -> {
				probes.held.incrementAndGet();
				return probes.release.asMono().then(ServerResponse.ok().bodyValue("released"));
			})
			// Takes an upload's headers and leaves its body unread until the test releases it; then
			// answers "unread", or as many bytes as ?answer= asks for.
			.POST("/http/unread", (request) -> {
				probes.unread.incrementAndGet();
				String answer = request.queryParam("answer").map((size) -> "x".repeat(Integer.parseInt(size)))
					.orElse("unread");
				return probes.readNothingUntil.asMono().then(ServerResponse.ok().bodyValue(answer));
			})
			// Reads the whole body, counting it, and records whether the request was cut off.
			.POST("/http/count", (request) -> request.bodyToFlux(DataBuffer.class)
				.doOnNext((buffer) -> {
					probes.counted.addAndGet(buffer.readableByteCount());
					DataBufferUtils.release(buffer);
				})
				.doOnCancel(() -> probes.countCut.complete("cancel"))
				.doOnError((error) -> probes.countCut.complete("error: " + error))
				.then(Mono.defer(() -> ServerResponse.ok().bodyValue(String.valueOf(probes.counted.get())))))
			// The request target as the application's request holds it, undecoded.
			.GET("/http/target/**", (request) -> ServerResponse.ok().contentType(MediaType.TEXT_PLAIN)
				.bodyValue(request.exchange().getRequest().getURI().getRawPath() + " "
						+ request.exchange().getRequest().getURI().getRawQuery()))
			// Bytes the application compressed itself, labelled as such.
			.GET("/http/precompressed", (request) -> ServerResponse.ok()
				.header("Content-Encoding", "gzip")
				.contentType(MediaType.TEXT_PLAIN)
				.bodyValue(probes.gzipped))
			// Response headers far beyond HTTP/2's common 8 KiB default.
			.GET("/http/big-headers", (request) -> ServerResponse.ok()
				.header("X-Big", "b".repeat(20_000))
				.bodyValue("big"))
			.GET("/http/trailers", (request) -> {
				nativeResponse(request).trailerHeaders((trailers) -> {
					trailers.set("x-checksum", "abc123");
					trailers.add("x-note", "one");
					trailers.add("x-note", "two");
				});
				return ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).body(BodyInserters.fromDataBuffers(Flux
					.just("part one, ", "part two")
					.<DataBuffer>map((s) -> DefaultDataBufferFactory.sharedInstance.wrap(s.getBytes(StandardCharsets.US_ASCII)))));
			})
			.POST("/" + GRPC_SERVICE + "/Say", (request) -> grpcMessage(request).flatMap((message) -> {
				nativeResponse(request).trailerHeaders((trailers) -> trailers.set("grpc-status", "0"));
				return ServerResponse.ok().contentType(MediaType.parseMediaType("application/grpc"))
					.body(BodyInserters.fromDataBuffers(Flux.just(grpcFrame("hello " + message))));
			}))
			.POST("/" + GRPC_SERVICE + "/Count", (request) -> grpcMessage(request).flatMap((message) -> {
				int count = Integer.parseInt(message);
				nativeResponse(request).trailerHeaders((trailers) -> {
					trailers.set("grpc-status", "0");
					trailers.set("x-counted", String.valueOf(count));
				});
				Flux<DataBuffer> frames = Flux.range(1, count)
					.delayElements(Duration.ofMillis(20))
					.map((i) -> grpcFrame(String.valueOf(i)));
				return ServerResponse.ok().contentType(MediaType.parseMediaType("application/grpc"))
					.body(BodyInserters.fromDataBuffers(frames));
			}))
			.build();
	}

	private static HttpServerResponse nativeResponse(ServerRequest request) {
		ServerHttpResponse response = request.exchange().getResponse();
		return ServerHttpResponseDecorator.getNativeResponse(response);
	}

	/** The one length-prefixed message of a unary or server-streaming gRPC request, as text. */
	private static Mono<String> grpcMessage(ServerRequest request) {
		return DataBufferUtils.join(request.bodyToFlux(DataBuffer.class)).map((buffer) -> {
			try {
				ByteBuffer bytes = ByteBuffer.allocate(buffer.readableByteCount());
				buffer.toByteBuffer(bytes);
				bytes.get(); // compressed flag: the client sends uncompressed messages
				byte[] message = new byte[bytes.getInt()];
				bytes.get(message);
				return new String(message, StandardCharsets.UTF_8);
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		});
	}

	private static DataBuffer grpcFrame(String message) {
		byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
		ByteBuffer frame = ByteBuffer.allocate(5 + bytes.length).put((byte) 0).putInt(bytes.length).put(bytes);
		return DefaultDataBufferFactory.sharedInstance.wrap(frame.array());
	}

	/** What the endpoints saw, for the tests to assert on. */
	public static class HttpProbes {

		final AtomicLong firstEventEmittedNanos = new AtomicLong();

		final Sinks.One<Boolean> gate = Sinks.one();

		final CompletableFuture<Long> endlessStarted = new CompletableFuture<>();

		/** When each {@code /http/endless} response was cancelled, in order. */
		final java.util.concurrent.BlockingQueue<Long> endlessCancelled = new java.util.concurrent.LinkedBlockingQueue<>();

		final AtomicInteger held = new AtomicInteger();

		final Sinks.One<Boolean> release = Sinks.one();

		final AtomicInteger unread = new AtomicInteger();

		final Sinks.One<Boolean> readNothingUntil = Sinks.one();

		final AtomicLong counted = new AtomicLong();

		final CompletableFuture<String> countCut = new CompletableFuture<>();

		final AtomicReference<String> note = new AtomicReference<>();

		final byte[] gzipped = gzip("compressed by the application, ".repeat(50));

		private static byte[] gzip(String text) {
			try {
				java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
				try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(out)) {
					gzip.write(text.getBytes(StandardCharsets.UTF_8));
				}
				return out.toByteArray();
			}
			catch (java.io.IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
