package dev.warp.agent;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.warp.agent.internal.credentials.CredentialsStore;
import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.pki.PemFiles;
import dev.warp.core.protocol.ControlMessage;
import dev.warp.core.protocol.TunnelProtocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * A minimal edge for the agent's own tests: TLS 1.3 with a certificate from a test CA, the
 * HTTP/2 client role, the control stream, and one request at a time. The real edge lives in
 * warp-edge, which the agent must not depend on.
 */
final class TestEdge implements AutoCloseable {

	final CertificateAuthority ca = CertificateAuthority.create("Test Edge CA", Clock.systemUTC());

	final Path caFile;

	/** Credentials of {@value #HOSTNAME} issued by this edge's CA, as the provisioning API would have. */
	final Path credentialsDir;

	static final String HOSTNAME = "shop.example.test";

	final BlockingQueue<ControlMessage> agentMessages = new LinkedBlockingQueue<>();

	final CompletableFuture<Channel> tunnel = new CompletableFuture<>();

	private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final Channel server;

	private volatile boolean acknowledgeRegistration = true;

	private volatile boolean answerPings = true;

	private volatile @Nullable String refusal;

	TestEdge(Path dir, List<String> certificateNames) throws Exception {
		this.caFile = dir.resolve("ca.pem");
		PemFiles.writeCertificates(this.caFile, this.ca.certificate());
		this.credentialsDir = dir.resolve("credentials");
		KeyPair originKeys = KeyPairs.generate();
		new CredentialsStore(this.credentialsDir, HOSTNAME).save(new OriginCredentials(originKeys.getPrivate(),
				List.of(this.ca.issueClientCertificate(originKeys.getPublic(), HOSTNAME, List.of(HOSTNAME), Duration.ofDays(1)),
						this.ca.certificate())));
		KeyPair keys = KeyPairs.generate();
		X509Certificate certificate = this.ca.issueServerCertificate(keys.getPublic(), "test-edge", certificateNames,
				Duration.ofDays(1));
		SslContext ssl = SslContextBuilder.forServer(keys.getPrivate(), certificate, this.ca.certificate())
			.protocols(TunnelProtocol.TLS_PROTOCOL)
			.clientAuth(ClientAuth.REQUIRE)
			.trustManager(this.ca.certificate())
			.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
					ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
					ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, TunnelProtocol.ALPN))
			.build();
		this.server = new ServerBootstrap().group(this.group)
			.channel(NioServerSocketChannel.class)
			.childHandler(new ChannelInitializer<>() {
				@Override
				protected void initChannel(Channel ch) {
					ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new ApplicationProtocolNegotiationHandler("none") {
						@Override
						protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
							ctx.pipeline().addLast(Http2FrameCodecBuilder.forClient().autoAckPingFrame(answerPings).build(),
									new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
							openControlStream(ctx.channel());
						}
					});
				}
			})
			.bind("127.0.0.1", 0)
			.sync()
			.channel();
	}

	int port() {
		return ((InetSocketAddress) this.server.localAddress()).getPort();
	}

	/** Whether new tunnel connections answer the agent's PINGs; off, the edge looks blackholed. */
	void answerPings(boolean answer) {
		this.answerPings = answer;
	}

	void acknowledgeRegistration(boolean acknowledge) {
		this.acknowledgeRegistration = acknowledge;
	}

	/** Answers every registration with {@code refused} and this reason, then closes the connection. */
	void refuseRegistrations(String reason) {
		this.refusal = reason;
	}

	private void openControlStream(Channel parent) {
		new Http2StreamChannelBootstrap(parent).handler(new ChannelInboundHandlerAdapter() {
			private final StringBuilder text = new StringBuilder();

			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) {
				try {
					if (msg instanceof Http2DataFrame data) {
						this.text.append(data.content().toString(StandardCharsets.UTF_8));
						for (int nl = this.text.indexOf("\n"); nl >= 0; nl = this.text.indexOf("\n")) {
							ControlMessage message = ControlMessage.parse(this.text.substring(0, nl));
							this.text.delete(0, nl + 1);
							agentMessages.add(message);
							String refused = refusal;
							if (message.type().equals(ControlMessage.REGISTER) && refused != null) {
								ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(ControlMessage
									.of(ControlMessage.REFUSED)
									.with(ControlMessage.REASON_ATTRIBUTE, refused)
									.encode(), StandardCharsets.UTF_8)))
									.addListener((written) -> parent.close());
							}
							else if (message.type().equals(ControlMessage.REGISTER) && acknowledgeRegistration) {
								ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(
										ControlMessage.of(ControlMessage.REGISTERED).with("node", "test-edge").encode(),
										StandardCharsets.UTF_8)));
								tunnel.complete(parent);
							}
						}
					}
				}
				finally {
					ReferenceCountUtil.release(msg);
				}
			}
		}).open().addListener((future) -> {
			Http2StreamChannel stream = (Http2StreamChannel) future.getNow();
			Http2Headers headers = new DefaultHttp2Headers().method("POST")
				.path(TunnelProtocol.CONTROL_PATH)
				.scheme("https")
				.authority("warp");
			headers.add(TunnelProtocol.CONTROL_HEADER, String.valueOf(TunnelProtocol.VERSION));
			headers.add(TunnelProtocol.EDGE_NODE_HEADER, "test-edge");
			stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false));
		});
	}

	/** Sends one request on the registered tunnel; the response's status, headers and body. */
	Response request(Http2Headers headers, byte[] body) throws Exception {
		Channel parent = this.tunnel.get(10, TimeUnit.SECONDS);
		CompletableFuture<Response> result = new CompletableFuture<>();
		Http2StreamChannel stream = new Http2StreamChannelBootstrap(parent).handler(new ChannelInboundHandlerAdapter() {
			private Http2Headers responseHeaders;

			private final ByteBuf content = Unpooled.buffer();

			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) {
				try {
					boolean end = false;
					if (msg instanceof Http2HeadersFrame frame) {
						this.responseHeaders = (this.responseHeaders == null) ? frame.headers() : this.responseHeaders;
						end = frame.isEndStream();
					}
					else if (msg instanceof Http2DataFrame data) {
						this.content.writeBytes(data.content());
						end = data.isEndStream();
					}
					if (end) {
						result.complete(new Response(this.responseHeaders, this.content.toString(StandardCharsets.UTF_8)));
					}
				}
				finally {
					ReferenceCountUtil.release(msg);
				}
			}

			@Override
			public void channelInactive(ChannelHandlerContext ctx) {
				result.completeExceptionally(new IllegalStateException("stream closed before the response ended"));
			}
		}).open().get(5, TimeUnit.SECONDS);
		boolean hasBody = body.length > 0;
		stream.write(new DefaultHttp2HeadersFrame(headers, !hasBody));
		if (hasBody) {
			stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
		}
		stream.flush();
		return result.get(10, TimeUnit.SECONDS);
	}

	/** Cuts every tunnel connection, as a crashed edge would. */
	void dropTunnel() throws Exception {
		this.tunnel.get(10, TimeUnit.SECONDS).close().sync();
	}

	@Override
	public void close() {
		this.server.close().syncUninterruptibly();
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
	}

	record Response(Http2Headers headers, String body) {

		String status() {
			return this.headers.status().toString();
		}

	}

}
