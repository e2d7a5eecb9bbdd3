package dev.warp.edge;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.core.pki.KeyPairs;
import dev.warp.core.protocol.ControlMessage;
import dev.warp.core.protocol.TunnelProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * A minimal agent for tests: dials the edge (TLS 1.3, ALPN h2, trusting a CA file with hostname
 * verification, presenting an origin certificate for its hostname), serves HTTP/2 on that connection, answers the control stream with a
 * {@code register} line, and serves a few routes:
 *
 * <ul>
 * <li>{@code /hello}: {@code hello}; {@code /whoami}: the agent id</li>
 * <li>{@code /headers}: the request headers it received, one {@code name: value} line each</li>
 * <li>{@code /echo}: the request body, streamed back</li>
 * <li>{@code /download?size=N}: N bytes, streamed with backpressure</li>
 * <li>{@code /reset}: RST_STREAM(INTERNAL_ERROR) without answering</li>
 * <li>{@code /reset-after-headers}: 200, a few bytes, then RST_STREAM</li>
 * <li>{@code /late-body}: 200 with {@code content-length: 5}, then {@code hello} once {@link #releaseStream()}</li>
 * <li>{@code /reset-before-body}: 200 with {@code content-length: 5}, then RST_STREAM without a body</li>
 * <li>{@code /never}: never answers</li>
 * <li>{@code /stream}: 200 and {@code first}, then {@code second} once {@link #releaseStream()}</li>
 * <li>{@code /no-content}: 204; {@code /trailers}: a body and a trailer; {@code /informational}: 103 then 200</li>
 * <li>{@code /bad-header}: 200 with a header value holding a line break</li>
 * </ul>
 *
 * <p>With {@link ControlMode#REGISTER_WEBSOCKETS}, WebSockets (RFC 8441 extended CONNECT): on
 * {@code /refused}, {@code 403} and {@code refused}; on {@code /fail}, accepted, then a reset of
 * the stream at the first frame; on any other path, accepted, text frames echoed. The frames the
 * edge sent are in {@link #webSocketFrames}; {@link #sendWebSocket} sends one.
 */
final class TestAgent implements AutoCloseable {

	/** How the agent answers the control stream. */
	enum ControlMode {

		/** 200 and a register line. */
		REGISTER,

		/** 200 and a register line sent one byte per DATA frame. */
		REGISTER_SPLIT,

		/** Registers like {@link #REGISTER}, then never answers the edge's PINGs: a blackholed peer. */
		REGISTER_DEAF,

		/** Never answers. */
		SILENT,

		/** Answers 404. */
		REFUSE,

		/** Registers like {@link #REGISTER}, advertising SETTINGS_ENABLE_CONNECT_PROTOCOL: takes WebSockets. */
		REGISTER_WEBSOCKETS

	}

	final String hostname;

	final String agentId;

	/** Resets the edge sent, as {@code <path> <error>}. */
	final BlockingQueue<String> resets = new LinkedBlockingQueue<>();

	/** Paths of the requests the agent received, in order. */
	final BlockingQueue<String> requests = new LinkedBlockingQueue<>();

	/** Control messages the edge sent on the control stream. */
	final BlockingQueue<ControlMessage> fromEdge = new LinkedBlockingQueue<>();

	/** Bytes of {@code /download} bodies written so far. */
	final AtomicLong downloaded = new AtomicLong();

	/** The headers of the control stream the edge opened. */
	final CompletableFuture<Http2Headers> controlHeaders = new CompletableFuture<>();

	/** The first SETTINGS the edge sent on the connection. */
	final CompletableFuture<Http2Settings> edgeSettings = new CompletableFuture<>();

	/** The negotiated protocol, or the handshake failure. */
	final CompletableFuture<String> handshake = new CompletableFuture<>();

	/** The WebSocket frames the edge sent, in order. */
	final BlockingQueue<WebSocketWire.Frame> webSocketFrames = new LinkedBlockingQueue<>();

	private volatile @Nullable Channel webSocket;

	private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final ControlMode controlMode;

	private final CompletableFuture<Void> streamGate = new CompletableFuture<>();

	private final Channel channel;

	private volatile @Nullable Channel controlStream;

	private TestAgent(int port, Path trustedCa, String hostname, String agentId, ControlMode controlMode,
			String @Nullable [] alpn, String tlsVersion, @Nullable ClientCertificate clientCertificate)
			throws SSLException, InterruptedException {
		this(port, trustedCa, hostname, agentId, controlMode, alpn, tlsVersion, clientCertificate, null);
	}

	private TestAgent(int port, Path trustedCa, String hostname, String agentId, ControlMode controlMode,
			String @Nullable [] alpn, String tlsVersion, @Nullable ClientCertificate clientCertificate,
			@Nullable String localAddress) throws SSLException, InterruptedException {
		this.hostname = hostname;
		this.agentId = agentId;
		this.controlMode = controlMode;
		ClientCertificate client = (clientCertificate != null) ? clientCertificate : issuedBeside(trustedCa, hostname);
		SslContextBuilder builder = SslContextBuilder.forClient();
		if (client != null) {
			builder.keyManager(client.key(), client.chain());
		}
		SslContext tls = builder
			.trustManager(trustedCa.toFile())
			.protocols(tlsVersion)
			.applicationProtocolConfig((alpn != null) ? new ApplicationProtocolConfig(Protocol.ALPN,
					SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, alpn)
					: ApplicationProtocolConfig.DISABLED)
			.build();
		Bootstrap bootstrap = new Bootstrap().group(this.group)
			.channel(NioSocketChannel.class)
			.handler(new ChannelInitializer<SocketChannel>() {

				@Override
				protected void initChannel(SocketChannel channel) {
					SslHandler handler = tls.newHandler(channel.alloc(), "localhost", port);
					SSLParameters parameters = handler.engine().getSSLParameters();
					parameters.setEndpointIdentificationAlgorithm("HTTPS");
					handler.engine().setSSLParameters(parameters);
					channel.pipeline().addLast(handler, new Negotiation());
				}

			});
		this.channel = ((localAddress != null)
				? bootstrap.connect(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress(localAddress, 0))
				: bootstrap.connect("127.0.0.1", port)).sync().channel();
	}

	/** A client key and certificate chain to present in the TLS handshake. */
	record ClientCertificate(PrivateKey key, X509Certificate... chain) {

		/** An origin certificate for a hostname from a CA, valid for a day. */
		static ClientCertificate issue(CertificateAuthority ca, String hostname) {
			KeyPair keys = KeyPairs.generate();
			return new ClientCertificate(keys.getPrivate(), ca.issueClientCertificate(keys.getPublic(), hostname,
					List.of(hostname), Duration.ofDays(1)), ca.certificate());
		}

	}

	/**
	 * An origin certificate for the hostname, as provisioning would issue it, from the CA whose
	 * key sits beside the trusted CA certificate (the edge's data directory); none when there is
	 * no key there.
	 */
	static @Nullable ClientCertificate issuedBeside(Path trustedCa, String hostname) {
		Path dir = trustedCa.toAbsolutePath().getParent();
		if (!Files.exists(dir.resolve(CertificateAuthority.KEY_FILE))) {
			return null;
		}
		return ClientCertificate.issue(CertificateAuthority.loadOrCreate(dir, "unused"), hostname);
	}

	/** Connects presenting a given client certificate (or none, with {@code null}). */
	static TestAgent connectWith(int port, Path trustedCa, String hostname, ClientCertificate clientCertificate)
			throws Exception {
		return new TestAgent(port, trustedCa, hostname, "agent-" + Long.toHexString(System.nanoTime()),
				ControlMode.REGISTER, new String[] { "h2" }, "TLSv1.3", clientCertificate);
	}

	/** Connects from {@code localAddress}, one of loopback's (e.g. {@code 127.0.0.2}): another client address. */
	static TestAgent connectFrom(String localAddress, EdgeNode edge, String hostname) throws Exception {
		return new TestAgent(edge.tunnelPort(), edge.caCertificateFile(), hostname,
				"agent-" + Long.toHexString(System.nanoTime()), ControlMode.REGISTER, new String[] { "h2" }, "TLSv1.3",
				null, localAddress);
	}

	static TestAgent connect(EdgeNode edge, String hostname) throws Exception {
		return connect(edge.tunnelPort(), edge.caCertificateFile(), hostname, ControlMode.REGISTER);
	}

	/** Connects and waits until the edge routes {@code hostname}: the agent is ready for visitors. */
	static TestAgent connectRouted(EdgeNode edge, String hostname) throws Exception {
		TestAgent agent = connect(edge, hostname);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> edge.routeTable().select(hostname) != null);
		return agent;
	}

	/** One more connection of the replica {@code agentId}: several calls make a replica with several connections. */
	static TestAgent connect(EdgeNode edge, String hostname, String agentId) throws Exception {
		return new TestAgent(edge.tunnelPort(), edge.caCertificateFile(), hostname, agentId, ControlMode.REGISTER,
				new String[] { "h2" }, "TLSv1.3", null);
	}

	/** Connects, taking WebSockets, and waits until the edge routes {@code hostname}. */
	static TestAgent connectRoutedForWebSockets(EdgeNode edge, String hostname) throws Exception {
		TestAgent agent = connect(edge.tunnelPort(), edge.caCertificateFile(), hostname, ControlMode.REGISTER_WEBSOCKETS);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> edge.routeTable().select(hostname) != null);
		return agent;
	}

	/** Sends the bytes of WebSocket frames on the last WebSocket accepted. */
	void sendWebSocket(byte[] frames) {
		Channel stream = this.webSocket;
		if (stream == null) {
			throw new IllegalStateException("No WebSocket");
		}
		stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(frames)));
	}

	static TestAgent connect(int port, Path trustedCa, String hostname, ControlMode mode) throws Exception {
		return new TestAgent(port, trustedCa, hostname, "agent-" + Long.toHexString(System.nanoTime()), mode,
				new String[] { "h2" }, "TLSv1.3", null);
	}

	static TestAgent connect(int port, Path trustedCa, String hostname, String @Nullable [] alpn, String tlsVersion)
			throws Exception {
		return new TestAgent(port, trustedCa, hostname, "agent-" + Long.toHexString(System.nanoTime()),
				ControlMode.REGISTER, alpn, tlsVersion, null);
	}

	/** Waits until the edge opened the control stream and the agent answered it. */
	TestAgent awaitControlStream() throws Exception {
		this.controlHeaders.get(5, TimeUnit.SECONDS);
		return this;
	}

	/** Sends a control message to the edge. */
	void send(ControlMessage message) {
		Channel stream = this.controlStream;
		if (stream == null) {
			throw new IllegalStateException("No control stream");
		}
		stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(message.encode(), StandardCharsets.UTF_8)));
	}

	/** Lets {@code /stream} send its second part. */
	void releaseStream() {
		this.streamGate.complete(null);
	}

	Channel channel() {
		return this.channel;
	}

	@Override
	public void close() {
		this.channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
	}

	private Http2Settings settings() {
		Http2Settings settings = Http2Settings.defaultSettings().maxConcurrentStreams(16_384);
		return (this.controlMode == ControlMode.REGISTER_WEBSOCKETS) ? settings.connectProtocolEnabled(true) : settings;
	}

	private final class Negotiation extends ApplicationProtocolNegotiationHandler {

		Negotiation() {
			super("none");
		}

		@Override
		protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
			TestAgent.this.handshake.complete(protocol);
			if ("h2".equals(protocol)) {
				ctx.pipeline()
					.addLast(Http2FrameCodecBuilder.forServer()
						.autoAckPingFrame(TestAgent.this.controlMode != ControlMode.REGISTER_DEAF)
						// Like the real agent: room for far more streams than Netty's default 100 (slow
						// downloads hold theirs), no cap on resets either way.
						.initialSettings(settings())
						.decoderEnforceMaxRstFramesPerWindow(0, 0)
						.encoderEnforceMaxRstFramesPerWindow(0, 0)
						.build(),
							new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {

								@Override
								protected void initChannel(Http2StreamChannel stream) {
									stream.pipeline().addLast(new StreamHandler());
								}

							}), new ChannelInboundHandlerAdapter() {

								@Override
								public void channelRead(ChannelHandlerContext ctx, Object msg) {
									if (msg instanceof Http2SettingsFrame settings) {
										TestAgent.this.edgeSettings.complete(settings.settings());
									}
									ReferenceCountUtil.release(msg);
								}

							});
			}
		}

		@Override
		protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
			TestAgent.this.handshake.completeExceptionally(cause);
			ctx.close();
		}

	}

	private final class StreamHandler extends ChannelInboundHandlerAdapter {

		private String path = "";

		private @Nullable Http2Headers request;

		private long remainingDownload;

		private long bodyLength;

		private @Nullable WebSocketWire webSocketWire;

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			try {
				if (msg instanceof Http2HeadersFrame headers && this.request == null) {
					this.request = headers.headers();
					this.path = String.valueOf(headers.headers().path());
					TestAgent.this.requests.add(this.path);
					onRequest(ctx, headers);
				}
				else if (msg instanceof Http2DataFrame data) {
					onData(ctx, data);
				}
			}
			finally {
				ReferenceCountUtil.release(msg);
			}
		}

		private void onRequest(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
			Http2Headers headers = frame.headers();
			if (TunnelProtocol.CONTROL_PATH.equals(this.path)) {
				control(ctx, headers);
				return;
			}
			if ("CONNECT".contentEquals(headers.method()) && headers.get(":protocol") != null) {
				webSocket(ctx);
				return;
			}
			QueryStringDecoder uri = new QueryStringDecoder(this.path);
			String route = uri.path().startsWith("/headers") ? "/headers" : uri.path();
			switch (route) {
				case "/hello" -> {
					if ("HEAD".contentEquals(headers.method())) {
						ctx.writeAndFlush(new DefaultHttp2HeadersFrame(ok().set("content-length", "5"), true));
					}
					else {
						respond(ctx, ok().set("content-length", "5"), "hello");
					}
				}
				case "/whoami" -> respond(ctx, ok(), TestAgent.this.agentId);
				// Answers as /whoami on the replica named by ?agent=, closes its whole tunnel connection on any other.
				case "/whoami-or-die" -> {
					if (TestAgent.this.agentId.equals(uri.parameters().get("agent").get(0))) {
						respond(ctx, ok(), TestAgent.this.agentId);
					}
					else {
						ctx.channel().parent().close();
					}
				}
				// Which of the replica's connections served: its local port.
				case "/connection" -> respond(ctx, ok(),
						String.valueOf(((java.net.InetSocketAddress) ctx.channel().parent().localAddress()).getPort()));
				case "/headers" -> {
					StringBuilder body = new StringBuilder();
					for (Map.Entry<CharSequence, CharSequence> header : headers) {
						body.append(header.getKey()).append(": ").append(header.getValue()).append('\n');
					}
					respond(ctx, ok(), body.toString());
				}
				case "/echo" -> {
					Http2Headers response = ok();
					if (headers.get("content-type") != null) {
						response.set("content-type", headers.get("content-type"));
					}
					ctx.writeAndFlush(new DefaultHttp2HeadersFrame(response, frame.isEndStream()));
				}
				case "/download" -> {
					this.remainingDownload = Long.parseLong(uri.parameters().get("size").get(0));
					ctx.writeAndFlush(new DefaultHttp2HeadersFrame(ok().set("content-length", String.valueOf(this.remainingDownload)),
							this.remainingDownload == 0));
					writeDownload(ctx);
				}
				case "/reset" -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
				case "/late-body" -> {
					ctx.writeAndFlush(new DefaultHttp2HeadersFrame(ok().set("content-length", "5"), false));
					TestAgent.this.streamGate.thenRun(() -> ctx.writeAndFlush(
							new DefaultHttp2DataFrame(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8), true)));
				}
				case "/reset-before-body" -> {
					ctx.writeAndFlush(new DefaultHttp2HeadersFrame(ok().set("content-length", "5"), false));
					ctx.channel().eventLoop().schedule(
							() -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR)), 100,
							TimeUnit.MILLISECONDS);
				}
				case "/reset-after-headers" -> {
					ctx.write(new DefaultHttp2HeadersFrame(ok(), false));
					ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("partial", StandardCharsets.UTF_8)));
					ctx.channel().eventLoop().schedule(
							() -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR)), 100,
							TimeUnit.MILLISECONDS);
				}
				case "/never" -> {
				}
				// Reads nothing of the request's body: the edge's writes wait for the stream's window.
				case "/unread" -> ctx.channel().config().setAutoRead(false);
				// Answers at once, reading nothing of the request's body, as an application that
				// refuses an upload does.
				case "/early" -> {
					ctx.channel().config().setAutoRead(false);
					ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("401").set("content-length", "2"),
							false));
					ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("no", StandardCharsets.UTF_8), true));
				}
				// Answers only once the whole body came: with its length.
				case "/length" -> {
					if (frame.isEndStream()) {
						respondWithLength(ctx, "0");
					}
				}
				case "/stream" -> {
					ctx.write(new DefaultHttp2HeadersFrame(ok().set("content-type", "text/event-stream"), false));
					ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("first\n", StandardCharsets.UTF_8)));
					TestAgent.this.streamGate.thenRun(() -> ctx.writeAndFlush(
							new DefaultHttp2DataFrame(Unpooled.copiedBuffer("second\n", StandardCharsets.UTF_8), true)));
				}
				case "/no-content" -> ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("204"), true));
				case "/trailers" -> {
					ctx.write(new DefaultHttp2HeadersFrame(ok().set("trailer", "x-checksum"), false));
					ctx.write(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("body", StandardCharsets.UTF_8)));
					ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("x-checksum", "abc"), true));
				}
				case "/informational" -> {
					ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("103").set("link", "</a.css>"), false));
					respond(ctx, ok(), "ok");
				}
				// HPACK carries any byte; HTTP/1.1 cannot carry a line break in a value.
				case "/bad-header" -> respond(ctx, ok().set("x-bad", "a\r\nx-injected: 1"), "bad");
				default -> ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("404"), true));
			}
		}

		private void control(ChannelHandlerContext ctx, Http2Headers headers) {
			TestAgent.this.controlStream = ctx.channel();
			switch (TestAgent.this.controlMode) {
				case SILENT -> {
				}
				case REFUSE -> ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("404"), true));
				case REGISTER, REGISTER_SPLIT, REGISTER_DEAF, REGISTER_WEBSOCKETS -> {
					ctx.write(new DefaultHttp2HeadersFrame(ok(), false));
					byte[] line = ControlMessage.of(ControlMessage.REGISTER)
						.with("hostname", TestAgent.this.hostname)
						.with("agent", TestAgent.this.agentId)
						.with("connection", 0)
						.with("version", TunnelProtocol.VERSION)
						.encode()
						.getBytes(StandardCharsets.UTF_8);
					List<ByteBuf> parts = new ArrayList<>();
					if (TestAgent.this.controlMode == ControlMode.REGISTER_SPLIT) {
						for (byte b : line) {
							parts.add(Unpooled.wrappedBuffer(new byte[] { b }));
						}
					}
					else {
						parts.add(Unpooled.wrappedBuffer(line));
					}
					for (ByteBuf part : parts) {
						ctx.writeAndFlush(new DefaultHttp2DataFrame(part));
					}
				}
			}
			TestAgent.this.controlHeaders.complete(headers);
		}

		private void webSocket(ChannelHandlerContext ctx) {
			if (this.path.equals("/refused")) {
				respond(ctx, new DefaultHttp2Headers().status("403").set("content-length", "7"), "refused");
				return;
			}
			this.webSocketWire = new WebSocketWire();
			TestAgent.this.webSocket = ctx.channel();
			ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
		}

		private void onWebSocketData(ChannelHandlerContext ctx, WebSocketWire wire, Http2DataFrame data) {
			byte[] bytes = new byte[data.content().readableBytes()];
			data.content().readBytes(bytes);
			for (WebSocketWire.Frame frame : wire.read(bytes)) {
				TestAgent.this.webSocketFrames.add(frame);
				if (this.path.equals("/fail")) {
					ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
				}
				else if (frame.opcode() == WebSocketWire.TEXT) {
					ctx.writeAndFlush(new DefaultHttp2DataFrame(
							Unpooled.wrappedBuffer(WebSocketWire.frame(WebSocketWire.TEXT, frame.payload(), false))));
				}
			}
		}

		private void onData(ChannelHandlerContext ctx, Http2DataFrame data) {
			WebSocketWire wire = this.webSocketWire;
			if (wire != null) {
				onWebSocketData(ctx, wire, data);
				return;
			}
			if (TunnelProtocol.CONTROL_PATH.equals(this.path)) {
				// The edge writes one whole line per frame.
				data.content().toString(StandardCharsets.UTF_8).lines().filter((line) -> !line.isBlank())
					.forEach((line) -> TestAgent.this.fromEdge.add(ControlMessage.parse(line)));
				return;
			}
			if (this.path.equals("/length")) {
				this.bodyLength += data.content().readableBytes();
				if (data.isEndStream()) {
					respondWithLength(ctx, String.valueOf(this.bodyLength));
				}
				return;
			}
			if (this.path.equals("/echo")) {
				ctx.writeAndFlush(new DefaultHttp2DataFrame(data.content().retain(), data.isEndStream()));
				if (!ctx.channel().isWritable()) {
					// Read no more of the request until the edge took what was echoed.
					ctx.channel().config().setAutoRead(false);
				}
			}
		}

		@Override
		public void channelWritabilityChanged(ChannelHandlerContext ctx) {
			if (ctx.channel().isWritable()) {
				if (this.path.equals("/echo")) {
					ctx.channel().config().setAutoRead(true);
				}
				else if (this.path.startsWith("/download")) {
					writeDownload(ctx);
				}
			}
			ctx.fireChannelWritabilityChanged();
		}

		private void writeDownload(ChannelHandlerContext ctx) {
			// A stream the edge reset takes no more: writes to it would fail as fast as they are made.
			while (this.remainingDownload > 0 && ctx.channel().isActive() && ctx.channel().isWritable()) {
				int size = (int) Math.min(16384, this.remainingDownload);
				this.remainingDownload -= size;
				TestAgent.this.downloaded.addAndGet(size);
				ByteBuf chunk = ctx.alloc().buffer(size).writeZero(size);
				ctx.write(new DefaultHttp2DataFrame(chunk, this.remainingDownload == 0));
			}
			ctx.flush();
		}

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
			if (evt instanceof Http2ResetFrame reset) {
				TestAgent.this.resets.add(this.path + " " + Http2Error.valueOf(reset.errorCode()));
			}
			ctx.fireUserEventTriggered(evt);
		}

		private static Http2Headers ok() {
			return new DefaultHttp2Headers().status("200").set("content-type", "text/plain");
		}

		private static void respondWithLength(ChannelHandlerContext ctx, String body) {
			respond(ctx, ok().set("content-length", String.valueOf(body.length())), body);
		}

		private static void respond(ChannelHandlerContext ctx, Http2Headers headers, String body) {
			ctx.write(new DefaultHttp2HeadersFrame(headers, false));
			ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true));
		}

	}

}
