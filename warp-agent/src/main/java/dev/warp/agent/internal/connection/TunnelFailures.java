package dev.warp.agent.internal.connection;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import dev.warp.agent.EdgeAddress;
import dev.warp.agent.ReconnectReason;
import dev.warp.agent.TunnelSettings;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Turns a connection failure into one line that says what happened, which side refused, and
 * what to do about it.
 */
public final class TunnelFailures {

	private TunnelFailures() {
	}

	public static String describe(Throwable error, EdgeAddress address, TunnelSettings settings) {
		Throwable certificateProblem = find(error, CertificateException.class, CertPathBuilderException.class,
				CertPathValidatorException.class);
		if (certificateProblem != null) {
			String message = rootMessage(certificateProblem);
			if (message.contains("subject alternative")) {
				return "The certificate of the edge at " + address + " is not valid for '" + address.host() + "' ("
						+ message + "): dial the edge by a name its certificate lists (edge.tunnel.certificate-names, "
						+ "edge.advertised.tunnel-addresses)";
			}
			// Edges name their CAs alike: another edge's certificate fails the signature check, not the path search.
			if (find(error, CertPathBuilderException.class) != null || message.contains("certification path")
					|| message.contains("signature check failed")) {
				return "The certificate of the edge at " + address + " is not signed by " + trustedCa(settings)
						+ ": " + ((settings.caCertificate() != null)
								? "set warp.edge.ca-certificate to the ca.pem in that edge's data directory (edge.data-dir)"
								: (settings.caPin() == null)
										? "put the ca.pem in that edge's data directory (edge.data-dir) in the trust store of "
												+ "the bundle warp.edge.ssl-bundle names"
								: "it is another edge than the one that served the pinned CA at " + settings.provisioningUrl()
										+ "; check that the edge addresses (" + settings.edgeAddressesSource() + ") name that edge");
			}
			return "The agent refused the certificate of the edge at " + address + ": " + message + ". Check that "
					+ trustedCa(settings) + " is the CA of that edge and that the edge's certificate names '"
					+ address.host() + "'";
		}
		NotSslRecordException notTls = find(error, NotSslRecordException.class);
		if (notTls != null) {
			boolean http = notTls instanceof PlainHttpAnswerException;
			return "The address " + address + " (" + settings.edgeAddressesSource() + ") "
					+ (http ? "answers plain HTTP: it seems to be the edge's visitor port (edge.public.port, default 8080)"
							: "does not answer TLS")
					+ ", not its tunnel port: give the edge's edge.tunnel.port (default 7844) in warp.edge.addresses";
		}
		if (error instanceof SslHandshakeTimeoutException) {
			return "TLS handshake with the edge at " + address + " timed out: " + error.getMessage();
		}
		SSLException ssl = find(error, SSLException.class);
		if (ssl != null) {
			String message = String.valueOf(ssl.getMessage());
			if (message.contains("Received fatal alert") && ORIGIN_CERTIFICATE_ALERTS.stream().anyMatch(message::contains)) {
				return "The edge at " + address + " refused this agent's origin certificate (" + message
						+ "): it is expired, revoked or not issued by that edge's CA. Delete the credentials in "
						+ settings.credentialsDir().resolve(settings.hostname()) + " and restart with warp.token set "
						+ "to obtain a new one";
			}
			if (message.contains("Received fatal alert")) {
				return "The edge at " + address + " refused the TLS handshake (" + message
						+ "): it does not accept this agent's TLS settings or certificate";
			}
			if (ssl instanceof SSLHandshakeException && message.contains("subject alternative")) {
				return "The certificate of the edge at " + address + " is not valid for '" + address.host() + "' ("
						+ message + "): dial the edge by a name its certificate lists (edge.tunnel.certificate-names)";
			}
			return "TLS with the edge at " + address + " failed: " + message;
		}
		if (find(error, ConnectTimeoutException.class) != null) {
			return "Connecting to the edge at " + address + " timed out after " + settings.connectTimeout().toMillis()
					+ " ms";
		}
		ConnectException connect = find(error, ConnectException.class);
		if (connect != null) {
			return "Cannot connect to the edge at " + address + ": " + rootMessage(connect)
					+ ". Is the edge running, and is that address right (" + settings.edgeAddressesSource() + ")?";
		}
		if (error instanceof ClosedChannelException) {
			return "The edge at " + address + " closed the connection";
		}
		return rootMessage(error);
	}

	/**
	 * Why a lost connection is re-dialled, for the reconnect counter.
	 * @param failure why the connection failed, or {@code null} when it just closed
	 */
	public static ReconnectReason reconnectReason(@Nullable Throwable failure) {
		if (failure == null || failure instanceof ClosedChannelException
				|| failure instanceof ControlStreamEndedException) {
			return ReconnectReason.CLOSED;
		}
		if (failure instanceof HeartbeatTimeoutException) {
			return ReconnectReason.HEARTBEAT;
		}
		if (find(failure, ConnectException.class, ConnectTimeoutException.class, UnknownHostException.class,
				UnresolvedAddressException.class) != null) {
			return ReconnectReason.CONNECT;
		}
		if (find(failure, SSLException.class, CertificateException.class) != null) {
			return ReconnectReason.TLS;
		}
		// What else the agent itself fails a connection for: no ALPN h2, no registration in time.
		return (failure instanceof TunnelException) ? ReconnectReason.REGISTRATION : ReconnectReason.ERROR;
	}

	@SafeVarargs
	@SuppressWarnings("unchecked")
	private static <T extends Throwable> T find(Throwable error, Class<? extends T>... types) {
		for (Throwable current = error; current != null; current = current.getCause()) {
			for (Class<? extends T> type : types) {
				if (type.isInstance(current)) {
					return (T) current;
				}
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return null;
	}

	private static String trustedCa(TunnelSettings settings) {
		if (!settings.caCertificates().isEmpty()) {
			return "the CA given to the tunnel (warp.edge.ssl-bundle) "
					+ settings.caCertificates().get(0).getSubjectX500Principal().getName();
		}
		return (settings.caCertificate() != null) ? "the CA in warp.edge.ca-certificate (" + settings.caCertificate() + ")"
				: "the edge CA pinned by warp.token (" + settings.caPin() + ")";
	}

	/** TLS alerts an edge sends for a client certificate it does not accept. */
	private static final java.util.List<String> ORIGIN_CERTIFICATE_ALERTS = java.util.List.of("certificate_required",
			"bad_certificate", "certificate_expired", "certificate_unknown", "certificate_revoked", "unknown_ca");

	private static String rootMessage(Throwable error) {
		Throwable root = error;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
		return (root == error) ? message : error.getMessage() + " (" + message + ")";
	}

}
