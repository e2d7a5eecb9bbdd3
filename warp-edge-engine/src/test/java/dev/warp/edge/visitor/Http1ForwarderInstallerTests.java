package dev.warp.edge.visitor;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.exchange.LocalTunnels;
import dev.warp.edge.routing.EdgeRouteTable;
import dev.warp.edge.tunnel.WindowBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.DefaultHttp2SettingsFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import org.junit.jupiter.api.Test;
import reactor.netty.NettyPipeline;

import static org.assertj.core.api.Assertions.assertThat;

class Http1ForwarderInstallerTests {

	private final ExchangeSettings settings = new ExchangeSettings("edge-test", "https",
			new LocalTunnels(new EdgeRouteTable()), Duration.ofSeconds(1), null, Long.MAX_VALUE, null,
			WindowBudget.total(), null);

	private final AbusiveClients abusiveClients = new AbusiveClients(Duration.ofSeconds(10), Duration.ofMinutes(10));

	@Test
	void putsAForwarderAfterTheCodecThatAlpnAddedAndLeaves() {
		EmbeddedChannel channel = new EmbeddedChannel(new Http1ForwarderInstaller(this.settings, this.abusiveClients));
		// What Reactor Netty does once ALPN chose HTTP/1.1: the codec goes behind the installer.
		channel.pipeline().addLast("codec", new HttpServerCodec());
		channel.writeInbound(request());
		assertThat(channel.pipeline().names()).containsSubsequence("codec", Http1Forwarder.NAME)
			.doesNotContain(Http1ForwarderInstaller.NAME);
		assertThat(channel.pipeline().get(Http1ForwarderInstaller.class)).isNull();
		// The forwarder took the request: no tunnel serves its hostname.
		channel.runPendingTasks();
		ByteBuf answer = channel.readOutbound();
		assertThat(answer.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 503");
		answer.release();
		channel.finishAndReleaseAll();
	}

	@Test
	void putsAnHttp2ForwarderBeforeTheMultiplexerWhenAlpnChoseHttp2AndLeaves() {
		// What Reactor Netty does once ALPN chose HTTP/2: the frame codec, then the stream multiplexer.
		EmbeddedChannel channel = new EmbeddedChannel(new Http1ForwarderInstaller(this.settings, this.abusiveClients));
		channel.pipeline().addLast(NettyPipeline.HttpCodec, new ChannelInboundHandlerAdapter());
		channel.pipeline().addLast(NettyPipeline.H2MultiplexHandler, new ChannelInboundHandlerAdapter());
		channel.writeInbound(request());
		assertThat(channel.pipeline().names())
			.containsSubsequence(NettyPipeline.HttpCodec, Http2Forwarder.NAME, NettyPipeline.H2MultiplexHandler)
			.doesNotContain(Http1ForwarderInstaller.NAME, Http1Forwarder.NAME);
		ByteBuf passed = channel.readInbound();
		assertThat(passed.toString(StandardCharsets.US_ASCII)).startsWith("GET /");
		passed.release();
		channel.finishAndReleaseAll();
	}

	@Test
	void anHttp2VisitorOverTlsIsWatchedForAbuse() throws Exception {
		AbusiveClients abusiveClients = new AbusiveClients(Duration.ofSeconds(10), Duration.ofMinutes(10));
		ExchangeSettings watched = new ExchangeSettings("edge-test", "https", new LocalTunnels(new EdgeRouteTable()),
				Duration.ofSeconds(1), null, Long.MAX_VALUE, null, WindowBudget.total(), null);
		EmbeddedChannel channel = new EmbeddedChannel(new Http1ForwarderInstaller(watched, abusiveClients));
		Http2FrameCodec codec = Http2FrameCodecBuilder.forServer().build();
		channel.pipeline().addLast(NettyPipeline.HttpCodec, codec);
		channel.pipeline().addLast(NettyPipeline.H2MultiplexHandler, new ChannelInboundHandlerAdapter());
		channel.writeInbound(Unpooled.wrappedBuffer(Http2CodecUtil.connectionPrefaceBuf()));
		assertThat(abusiveClients.isRefused(channel.remoteAddress())).isFalse();
		// What the codec does when the visitor floods it (rapid reset, control frames).
		codec.connection().goAwaySent(0, Http2Error.ENHANCE_YOUR_CALM.code(), Unpooled.EMPTY_BUFFER);
		assertThat(abusiveClients.isRefused(channel.remoteAddress())).isTrue();
		channel.finishAndReleaseAll();
	}

	@Test
	void anHttp1ForwarderBecomesAnHttp2ForwarderAtTheH2cPreface() {
		// h2c with prior knowledge: Reactor Netty swaps the HTTP/1.1 codec for the HTTP/2 one in
		// front of the forwarder and adds the multiplexer behind it; the first frame then arrives.
		EmbeddedChannel channel = new EmbeddedChannel(new Http1Forwarder(this.settings, this.abusiveClients));
		channel.pipeline().addLast(NettyPipeline.H2MultiplexHandler, new ChannelInboundHandlerAdapter());
		channel.writeInbound(new DefaultHttp2SettingsFrame(Http2Settings.defaultSettings()));
		assertThat(channel.pipeline().names()).containsSubsequence(Http2Forwarder.NAME, NettyPipeline.H2MultiplexHandler)
			.doesNotContain(Http1Forwarder.NAME);
		assertThat((Object) channel.readInbound()).isInstanceOf(DefaultHttp2SettingsFrame.class);
		channel.finishAndReleaseAll();
	}

	private static ByteBuf request() {
		return Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: nowhere.example.test\r\n\r\n", StandardCharsets.US_ASCII);
	}

}
