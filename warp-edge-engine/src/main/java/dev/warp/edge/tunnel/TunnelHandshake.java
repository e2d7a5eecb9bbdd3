package dev.warp.edge.tunnel;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;

import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.log.RepeatedWarning;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for the TLS handshake of a tunnel connection. When it chose ALPN {@code h2}, hands the
 * channel to {@code onHttp2} (which installs HTTP/2); otherwise closes it. A failed handshake is
 * reported saying which side refused and what to do about it, since that is almost always a
 * trust or version problem an operator has to fix; through the listener's {@link Failures}, so
 * that a flood of them (scanners, plain TCP connects) costs a line a minute, never a stack trace.
 */
final class TunnelHandshake extends ApplicationProtocolNegotiationHandler {

	private static final Logger logger = LoggerFactory.getLogger(TunnelHandshake.class);

	private static final String NO_PROTOCOL = "";

	private final Path caCertificateFile;

	private final Consumer<ChannelHandlerContext> onHttp2;

	private final Failures failures;

	private boolean failureLogged;

	TunnelHandshake(Path caCertificateFile, Failures failures, Consumer<ChannelHandlerContext> onHttp2) {
		super(NO_PROTOCOL);
		this.caCertificateFile = caCertificateFile;
		this.failures = failures;
		this.onHttp2 = onHttp2;
	}

	@Override
	protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
		if (TunnelProtocol.ALPN.equals(protocol)) {
			this.onHttp2.accept(ctx);
			return;
		}
		this.failures.refused().occurred("edge refused agent " + peer(ctx) + ": it did not negotiate ALPN "
				+ TunnelProtocol.ALPN + " (" + (protocol.isEmpty() ? "it offered none, or none the edge speaks"
						: "negotiated " + protocol) + "); is it a Warp agent?");
		ctx.close();
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
		// Failures that are not decoding errors (timeout, peer closing) only arrive as this event.
		if (evt instanceof SslHandshakeCompletionEvent completion && !completion.isSuccess()) {
			logFailure(ctx, completion.cause());
		}
		super.userEventTriggered(ctx, evt);
	}

	@Override
	protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
		logFailure(ctx, cause);
		ctx.close();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
		if (cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
			super.exceptionCaught(ctx, cause);
			return;
		}
		logger.debug("Tunnel connection from {} failed before HTTP/2 started: {}", peer(ctx), cause.toString());
		ctx.close();
	}

	private void logFailure(ChannelHandlerContext ctx, Throwable cause) {
		if (this.failureLogged) {
			return;
		}
		this.failureLogged = true;
		(isNoise(cause) ? this.failures.broken() : this.failures.refused())
			.occurred(describe(peer(ctx), cause, this.caCertificateFile));
	}

	/**
	 * Whether a failure says nothing about an agent's configuration: a peer that does not speak
	 * TLS, that stays silent, or that goes away during the handshake (scanners, health checks).
	 */
	private static boolean isNoise(Throwable cause) {
		Throwable failure = (cause instanceof DecoderException && cause.getCause() != null) ? cause.getCause() : cause;
		return failure instanceof NotSslRecordException || failure instanceof SslHandshakeTimeoutException
				|| failure instanceof ClosedChannelException
				|| String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT).contains("closed");
	}

	/** One sentence: who refused, why, and what to do. */
	static String describe(String peer, Throwable cause, Path caCertificateFile) {
		Throwable failure = (cause instanceof DecoderException && cause.getCause() != null) ? cause.getCause() : cause;
		String message = String.valueOf(failure.getMessage());
		String lower = message.toLowerCase(Locale.ROOT);
		String alert = receivedAlert(message);
		if (alert != null) {
			return switch (alert) {
				case "certificate_unknown", "unknown_ca", "bad_certificate", "certificate_expired", "certificate_revoked",
						"unsupported_certificate" ->
					"agent " + peer + " refused the edge's certificate (" + alert
							+ "): the agent does not trust this edge's CA; give it " + caCertificateFile;
				case "protocol_version" -> "agent " + peer + " refused the TLS handshake (protocol_version): the edge speaks "
						+ TunnelProtocol.TLS_PROTOCOL + " only";
				case "no_application_protocol" -> "agent " + peer
						+ " refused the TLS handshake (no_application_protocol): the edge speaks ALPN " + TunnelProtocol.ALPN
						+ " only";
				// BoringSSL's client sends this when its trust manager rejects the certificate.
				case "internal_error" -> "agent " + peer + " aborted the TLS handshake (internal_error): an agent"
						+ " that does not trust this edge's certificate does this; give it " + caCertificateFile;
				default -> "agent " + peer + " refused the TLS handshake (" + alert + ")";
			};
		}
		if (lower.contains("unsupported_protocol") || lower.contains("wrong_version_number")) {
			return "edge refused agent " + peer + ": it does not offer " + TunnelProtocol.TLS_PROTOCOL + " (" + message
					+ ")";
		}
		if (lower.contains("empty client certificate chain") || lower.contains("certificate_required")) {
			return "edge refused agent " + peer + ": it presented no origin certificate (an agent obtains one with "
					+ "warp.token from the provisioning API)";
		}
		if (lower.contains("pkix") || lower.contains("certificate expired") || lower.contains("not yet valid")
				|| lower.contains("certpath") || lower.contains("extended key usage")) {
			return "edge refused agent " + peer + ": its origin certificate is not valid here (" + message
					+ "): expired, not yet valid, or not issued by this edge's CA " + caCertificateFile;
		}
		if (failure instanceof NotSslRecordException) {
			return "edge refused " + peer + ": it does not speak TLS (plain text on the tunnel port?)";
		}
		if (failure instanceof SslHandshakeTimeoutException) {
			return "TLS handshake with " + peer + " timed out: " + message;
		}
		if (failure instanceof ClosedChannelException || lower.contains("closed")) {
			return "agent " + peer + " closed the connection during the TLS handshake";
		}
		if (lower.contains("application protocol") || lower.contains("application layer protocol")
				|| lower.contains("alpn")) {
			return "edge refused agent " + peer + ": it does not offer ALPN " + TunnelProtocol.ALPN + " (" + message
					+ ")";
		}
		if (lower.contains("protocol") && (lower.contains("not enabled") || lower.contains("not supported")
				|| lower.contains("not accepted") || lower.contains("no appropriate protocol"))) {
			return "edge refused agent " + peer + ": it does not offer " + TunnelProtocol.TLS_PROTOCOL + " (" + message
					+ ")";
		}
		return "TLS handshake with agent " + peer + " failed on the edge's side: " + message;
	}

	/**
	 * The TLS alert the agent sent, by its RFC 8446 name: the JDK says "Received fatal alert:
	 * certificate_unknown", OpenSSL/BoringSSL "...:SSLV3_ALERT_CERTIFICATE_UNKNOWN".
	 */
	private static @Nullable String receivedAlert(String message) {
		String lower = message.toLowerCase(Locale.ROOT);
		int at = lower.indexOf("received fatal alert: ");
		if (at >= 0) {
			return message.substring(at + "received fatal alert: ".length()).trim();
		}
		for (String prefix : new String[] { "sslv3_alert_", "tlsv1_alert_", "tlsv13_alert_" }) {
			at = lower.indexOf(prefix);
			if (at >= 0) {
				String rest = lower.substring(at + prefix.length());
				int end = 0;
				while (end < rest.length() && (Character.isLetterOrDigit(rest.charAt(end)) || rest.charAt(end) == '_')) {
					end++;
				}
				String alert = rest.substring(0, end);
				return alert;
			}
		}
		return null;
	}

	private static String peer(ChannelHandlerContext ctx) {
		return format(ctx.channel().remoteAddress());
	}

	/** An agent's address as the edge's logs name it: {@code host:port}, an IPv6 host in brackets. */
	static String format(@Nullable SocketAddress address) {
		if (address instanceof InetSocketAddress inet) {
			String host = (inet.getAddress() != null) ? inet.getAddress().getHostAddress() : inet.getHostString();
			return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
		}
		return String.valueOf(address);
	}

	/**
	 * The tunnel listener's reports of failed handshakes, by kind: refusals that an operator can
	 * fix (trust, versions, ALPN), and connections that were never an agent's.
	 */
	record Failures(RepeatedWarning refused, RepeatedWarning broken) {

		static Failures create() {
			return new Failures(new RepeatedWarning(logger, "tunnel connection(s) refused during the TLS handshake"),
					new RepeatedWarning(logger, "connection(s) to the tunnel listener ended before a TLS handshake "
							+ "(not TLS, silent, or closed at once)"));
		}

	}

}
