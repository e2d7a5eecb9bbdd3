package dev.warp.edge.visitor;

import dev.warp.edge.EdgeSettings;
import dev.warp.edge.acme.AcmeClientHello;
import dev.warp.edge.acme.AcmeHttpChallenges;
import dev.warp.edge.acme.AcmeTlsChallenges;
import dev.warp.edge.exchange.ExchangeSettings;
import dev.warp.edge.pki.PublicCertificates;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniHandler;
import org.jspecify.annotations.Nullable;

/**
 * The handlers of a visitor's connection, from bytes to the forwarders: HTTP/1.1 with the h2c
 * upgrade and HTTP/2 with prior knowledge in cleartext; over TLS, the certificate chosen by SNI and
 * HTTP/2 or HTTP/1.1 by ALPN. Netty's own codecs, bounded by the node's limits, and nothing of
 * Reactor Netty: every request is answered by an {@link Http1Forwarder} or {@link Http2Forwarder}.
 *
 * <p>In order: {@link RequestHeaderTimeout} first (it counts the TLS handshake too), TLS and
 * {@link VisitorErrors#afterTls} when over TLS, the codec, the forwarder, and
 * {@link VisitorErrors#atTheEnd} last.
 */
final class VisitorPipeline {

	/** RST_STREAM frames a visitor may send per window before its connection is closed (CVE-2023-44487). */
	static final int MAX_RESETS = 200;

	static final int RESET_WINDOW_SECONDS = 30;

	/**
	 * The largest TLS ClientHello read before a certificate is chosen: room for post-quantum key
	 * shares and long SNI and ALPN lists, not for a visitor who would have the edge buffer megabytes.
	 */
	static final int MAX_CLIENT_HELLO = 64 * 1024;

	private final EdgeSettings settings;

	private final ExchangeSettings forwarding;

	private final AbusiveClients abusiveClients;

	private final VisitorErrors.Reports errors;

	/** The TLS listener's certificates, or {@code null} without a TLS listener. */
	private final @Nullable PublicCertificates certificates;

	/** Answers ACME HTTP-01 validations on the cleartext listener. */
	private final AcmeHttpChallenges acmeHttp;

	VisitorPipeline(EdgeSettings settings, ExchangeSettings forwarding, AbusiveClients abusiveClients,
			VisitorErrors.Reports errors, @Nullable PublicCertificates certificates) {
		this.settings = settings;
		this.forwarding = forwarding;
		this.abusiveClients = abusiveClients;
		this.errors = errors;
		this.certificates = certificates;
		this.acmeHttp = (certificates != null) ? certificates.httpChallenges() : AcmeHttpChallenges.NONE;
	}

	/** Sets up a cleartext connection: HTTP/1.1, upgraded to h2c on request, or HTTP/2 from its preface. */
	void cleartext(Channel channel) {
		ChannelPipeline pipeline = start(channel);
		HttpServerCodec codec = http1Codec();
		Http2FrameCodec http2 = http2Codec();
		// Adds the HTTP/1.1 codec and the upgrade handler after itself, and leaves the pipeline
		// at the first bytes: for the HTTP/2 codec if they are HTTP/2's preface.
		pipeline.addBefore(VisitorErrors.NAME, null,
				new CleartextHttp2ServerUpgradeHandler(codec, new H2cUpgrade(codec, http2), http2));
		pipeline.addBefore(VisitorErrors.NAME, Http1Forwarder.NAME, new Http1Forwarder(this.forwarding, this.abusiveClients, this.acmeHttp));
	}

	/**
	 * Sets up a TLS connection: the certificate for the visitor's SNI (or an ACME TLS-ALPN-01
	 * validation's), then the protocol ALPN chose.
	 */
	void tls(Channel channel) {
		PublicCertificates certificates = this.certificates;
		if (certificates == null) {
			throw new IllegalStateException("A TLS listener needs certificates");
		}
		ChannelPipeline pipeline = start(channel);
		ExchangeSettings https = this.forwarding.scheme("https");
		AcmeTlsChallenges acmeTls = certificates.tlsChallenges();
		if (acmeTls != null) {
			pipeline.addBefore(VisitorErrors.NAME, AcmeClientHello.NAME, new AcmeClientHello(acmeTls));
		}
		pipeline.addBefore(VisitorErrors.NAME, null, new SniHandler(certificates::select, MAX_CLIENT_HELLO,
				this.settings.headerReadTimeout().toMillis()));
		pipeline.addBefore(VisitorErrors.NAME, VisitorErrors.TLS_NAME, VisitorErrors.afterTls(this.errors));
		pipeline.addBefore(VisitorErrors.NAME, null, new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {

			@Override
			protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
				if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
					VisitorPipeline.this.abusiveClients.watch(ctx.channel());
					ctx.pipeline()
						.addBefore(VisitorErrors.NAME, null, http2Codec())
						.addBefore(VisitorErrors.NAME, Http2Forwarder.NAME, new Http2Forwarder(https, false));
				}
				else {
					ctx.pipeline()
						.addBefore(VisitorErrors.NAME, null, http1Codec())
						.addBefore(VisitorErrors.NAME, Http1Forwarder.NAME,
								new Http1Forwarder(https, VisitorPipeline.this.abusiveClients));
				}
			}

			@Override
			protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
				// VisitorErrors, right after TLS, reported and closed it already.
				ctx.close();
			}

		});
	}

	private ChannelPipeline start(Channel channel) {
		return channel.pipeline()
			.addLast(RequestHeaderTimeout.NAME, new RequestHeaderTimeout(this.settings.headerReadTimeout()))
			.addLast(VisitorErrors.NAME, VisitorErrors.atTheEnd(this.errors));
	}

	private HttpServerCodec http1Codec() {
		return new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(this.settings.maxInitialLineLength())
			.setMaxHeaderSize(this.settings.maxHeaderSize()));
	}

	/**
	 * The HTTP/2 codec: RFC 8441's extended CONNECT on (HTTP/2 visitors open WebSockets with it),
	 * the node's limits on concurrent streams and header lists, and rapid reset bounded.
	 */
	private Http2FrameCodec http2Codec() {
		return Http2FrameCodecBuilder.forServer()
			.initialSettings(Http2Settings.defaultSettings()
				.maxConcurrentStreams(this.settings.maxConcurrentStreams())
				.maxHeaderListSize(this.settings.maxHeaderSize())
				.connectProtocolEnabled(true))
			.decoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS)
			.build();
	}

}
