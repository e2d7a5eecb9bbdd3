package dev.warp.sample.tunnel;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.warp.edge.EdgeNode;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 response trailers from the application reach an HTTP/2 visitor, and so gRPC works
 * through the tunnel: grpc-java's Netty client (a real gRPC client, h2c to the edge) against a
 * gRPC service that the application serves in WebFlux, framed by hand
 * ({@link HttpProbeConfiguration}).
 */
class TunnelTrailersTests {

	static final String HOST = "grpc.warp.test";

	static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {

		@Override
		public InputStream stream(String value) {
			return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
		}

		@Override
		public String parse(InputStream stream) {
			try {
				return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	};

	static final MethodDescriptor<String, String> SAY = MethodDescriptor.<String, String>newBuilder()
		.setType(MethodDescriptor.MethodType.UNARY)
		.setFullMethodName(HttpProbeConfiguration.GRPC_SERVICE + "/Say")
		.setRequestMarshaller(TEXT)
		.setResponseMarshaller(TEXT)
		.build();

	static final MethodDescriptor<String, String> COUNT = MethodDescriptor.<String, String>newBuilder()
		.setType(MethodDescriptor.MethodType.SERVER_STREAMING)
		.setFullMethodName(HttpProbeConfiguration.GRPC_SERVICE + "/Count")
		.setRequestMarshaller(TEXT)
		.setResponseMarshaller(TEXT)
		.build();

	@TempDir
	static Path dir;

	static EdgeNode edge;

	static ConfigurableApplicationContext app;

	static ManagedChannel grpc;

	@BeforeAll
	static void start() {
		edge = TunnelTestSupport.startEdge(dir.resolve("edge"));
		app = TunnelTestSupport.startAppWith(List.of(HttpProbeConfiguration.class), edge, HOST);
		// The authority is the hostname the edge routes by; the socket goes to the edge.
		grpc = NettyChannelBuilder.forAddress("127.0.0.1", edge.publicPort())
			.overrideAuthority(HOST)
			.usePlaintext()
			.build();
	}

	@AfterAll
	static void stop() throws InterruptedException {
		if (grpc != null) {
			grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
		TunnelTestSupport.close(app, edge);
	}

	@Test
	void trailersOfTheApplicationReachAnHttp2Visitor() {
		HttpClient h2c = HttpClient.create(ConnectionProvider.newConnection())
			.protocol(HttpProtocol.H2C)
			.baseUrl("http://127.0.0.1:" + edge.publicPort())
			.headers((headers) -> headers.set(HttpHeaderNames.HOST, HOST))
			.responseTimeout(Duration.ofSeconds(30));
		List<String> body = new ArrayList<>();
		HttpHeaders trailers = h2c.get()
			.uri("/http/trailers")
			.response((response, content) -> content.asString().doOnNext(body::add).then(response.trailerHeaders()))
			.blockLast(Duration.ofSeconds(30));
		assertThat(String.join("", body)).isEqualTo("part one, part two");
		assertThat(trailers).isNotNull();
		assertThat(trailers.get("x-checksum")).isEqualTo("abc123");
		assertThat(trailers.getAll("x-note")).containsExactly("one", "two");
	}

	@Test
	void grpcUnaryCallSucceedsThroughTheTunnel() {
		String answer = ClientCalls.blockingUnaryCall(grpc, SAY, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
				"visitor");
		assertThat(answer).isEqualTo("hello visitor");
	}

	@Test
	void grpcServerStreamingCallSucceedsThroughTheTunnel() {
		Iterator<String> messages = ClientCalls.blockingServerStreamingCall(grpc, COUNT,
				CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), "5");
		List<String> received = new ArrayList<>();
		// The iterator ends only on grpc-status 0 in the trailers; any other status throws.
		messages.forEachRemaining(received::add);
		assertThat(received).containsExactly("1", "2", "3", "4", "5");
	}

}
