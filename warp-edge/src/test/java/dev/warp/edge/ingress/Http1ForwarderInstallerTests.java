package dev.warp.edge.ingress;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.warp.edge.routing.EdgeRouteTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Http1ForwarderInstallerTests {

	private final Http1Forwarder.Settings settings = new Http1Forwarder.Settings("edge-test", "https",
			new EdgeRouteTable(), Duration.ofSeconds(1), null, Long.MAX_VALUE, null);

	@Test
	void putsAForwarderAfterTheCodecThatAlpnAddedAndLeaves() {
		EmbeddedChannel channel = new EmbeddedChannel(new Http1ForwarderInstaller(this.settings));
		// What Reactor Netty does once ALPN chose HTTP/1.1: the codec goes behind the installer.
		channel.pipeline().addLast("codec", new HttpServerCodec());
		channel.writeInbound(request());
		assertThat(channel.pipeline().names()).containsSubsequence("codec", Http1Forwarder.NAME)
			.doesNotContain(Http1ForwarderInstaller.NAME);
		assertThat(channel.pipeline().get(Http1ForwarderInstaller.class)).isNull();
		assertThat((Object) channel.readInbound()).isNotNull();
		channel.finishAndReleaseAll();
	}

	@Test
	void leavesWithoutAForwarderWhenAlpnChoseHttp2() {
		EmbeddedChannel channel = new EmbeddedChannel(new Http1ForwarderInstaller(this.settings),
				new ChannelInboundHandlerAdapter());
		channel.writeInbound(request());
		assertThat(channel.pipeline().get(Http1Forwarder.class)).isNull();
		assertThat(channel.pipeline().get(Http1ForwarderInstaller.class)).isNull();
		ByteBuf passed = channel.readInbound();
		assertThat(passed.toString(StandardCharsets.US_ASCII)).startsWith("GET /");
		passed.release();
		channel.finishAndReleaseAll();
	}

	private static ByteBuf request() {
		return Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: nowhere.example.test\r\n\r\n", StandardCharsets.US_ASCII);
	}

}
