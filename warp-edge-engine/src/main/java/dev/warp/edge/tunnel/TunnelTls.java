package dev.warp.edge.tunnel;

import javax.net.ssl.SSLException;

import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.pki.EdgeCredentials;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

/**
 * The TLS server context of the tunnel listener: TLS 1.3 only, and ALPN {@code h2} only. A client
 * that offers other protocols completes the handshake without one and {@link TunnelHandshake}
 * closes it, so that nothing but an agent speaking the tunnel protocol gets further. (A fatal
 * alert in the handshake itself is what the JDK provider can do but OpenSSL/BoringSSL, which
 * Netty prefers when it is on the class path, cannot.) A client certificate issued by the edge's CA
 * (an origin certificate), valid now, is required.
 */
final class TunnelTls {

	private TunnelTls() {
	}

	static SslContext serverContext(EdgeCredentials credentials) {
		try {
			return SslContextBuilder.forServer(credentials.privateKey(), credentials.certificate(),
					credentials.authority().certificate())
				.protocols(TunnelProtocol.TLS_PROTOCOL)
				// Mutual TLS: only an origin certificate from this CA gets past the handshake.
				.clientAuth(ClientAuth.REQUIRE)
				.trustManager(credentials.authority().certificate())
				.applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
						SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
						TunnelProtocol.ALPN))
				.build();
		}
		catch (SSLException ex) {
			throw new IllegalStateException("Cannot set up TLS for the tunnel listener: " + ex.getMessage(), ex);
		}
	}

}
