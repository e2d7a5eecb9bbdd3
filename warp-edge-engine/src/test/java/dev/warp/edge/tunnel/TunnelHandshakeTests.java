package dev.warp.edge.tunnel;

import java.nio.file.Path;

import javax.net.ssl.SSLHandshakeException;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the handshake failure messages of {@link TunnelHandshake}.
 */
class TunnelHandshakeTests {

	private static final Path CA = Path.of("/data/ca.pem");

	@Test
	void agentRefusingTheCertificateIsToldToTrustTheCa() {
		assertThat(TunnelHandshake.describe("127.0.0.1:5555",
				new DecoderException(new SSLHandshakeException("Received fatal alert: certificate_unknown")), CA))
			.isEqualTo("agent 127.0.0.1:5555 refused the edge's certificate (certificate_unknown): "
					+ "the agent does not trust this edge's CA; give it /data/ca.pem");
		assertThat(TunnelHandshake.describe("[::1]:5555", new SSLHandshakeException("Received fatal alert: unknown_ca"), CA))
			.startsWith("agent [::1]:5555 refused the edge's certificate (unknown_ca)");
	}

	@Test
	void boringSslAlertsAreNamedLikeTheJdksOnes() {
		assertThat(TunnelHandshake.describe("a:1", new SSLHandshakeException(
				"error:10000416:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN"), CA))
			.startsWith("agent a:1 refused the edge's certificate (certificate_unknown)");
		assertThat(TunnelHandshake.describe("a:1", new SSLHandshakeException(
				"error:10000438:SSL routines:OPENSSL_internal:TLSV1_ALERT_INTERNAL_ERROR"), CA))
			.isEqualTo("agent a:1 aborted the TLS handshake (internal_error): an agent that does not trust this"
					+ " edge's certificate does this; give it /data/ca.pem");
		assertThat(TunnelHandshake.describe("a:1", new SSLHandshakeException(
				"error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL"), CA))
			.startsWith("edge refused agent a:1: it does not offer TLSv1.3");
	}

	@Test
	void otherFailuresSayWhoRefused() {
		assertThat(TunnelHandshake.describe("a:1", new NotSslRecordException("not an SSL/TLS record"), CA))
			.isEqualTo("edge refused a:1: it does not speak TLS (plain text on the tunnel port?)");
		assertThat(TunnelHandshake.describe("a:1", new SSLHandshakeException("Received fatal alert: handshake_failure"), CA))
			.isEqualTo("agent a:1 refused the TLS handshake (handshake_failure)");
		assertThat(TunnelHandshake.describe("a:1", new SSLHandshakeException("something odd"), CA))
			.isEqualTo("TLS handshake with agent a:1 failed on the edge's side: something odd");
	}

}
