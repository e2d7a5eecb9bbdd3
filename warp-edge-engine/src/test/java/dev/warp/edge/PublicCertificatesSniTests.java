package dev.warp.edge;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.warp.core.pki.CertificateAuthority;
import dev.warp.edge.pki.PublicCertificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SniHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PublicCertificates#select} as a plain Netty listener uses it, with Netty's
 * {@link SniHandler}: the certificate is chosen by the name the visitor asks for.
 */
class PublicCertificatesSniTests {

	private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	@AfterEach
	void stop() {
		this.loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
	}

	private int listen(PublicCertificates certificates) {
		Channel server = new ServerBootstrap().group(this.loops)
			.channel(NioServerSocketChannel.class)
			.childHandler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel channel) {
					channel.pipeline().addLast(new SniHandler(certificates::select));
				}
			})
			.bind(InetAddress.getLoopbackAddress(), 0)
			.syncUninterruptibly()
			.channel();
		return ((InetSocketAddress) server.localAddress()).getPort();
	}

	@Test
	void aNameOfAZoneATokenGainedIsServedWithACertificateCoveringIt() throws Exception {
		CertificateAuthority ca = CertificateAuthority.create("edge-test-ca", Clock.systemUTC());
		List<String> zones = new CopyOnWriteArrayList<>();
		PublicCertificates certificates = PublicCertificates.of(EdgeSettings.PublicTls.issued(0, List.of("127.0.0.1")),
				ca, () -> Set.copyOf(zones));
		int port = listen(certificates);
		zones.add("late.test");
		X509Certificate served = ServedCertificates.of(port, "shop.late.test");
		assertThat(names(served)).contains("*.late.test");
	}

	private static List<String> names(X509Certificate certificate) throws CertificateParsingException {
		return certificate.getSubjectAlternativeNames().stream().map((entry) -> String.valueOf(entry.get(1))).toList();
	}

}
