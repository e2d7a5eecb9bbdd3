package dev.warp.edge.tunnel;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * A long-lived tunnel connection must not outlive its origin certificate: the agent renews
 * before the end. Should it not have replaced the connection yet, the connection drains a little
 * before the end, so that its requests finish and the agent opens another, and only then closes.
 */
final class CertificateExpiry {

	/** How long before its certificate expires a connection the agent has not replaced yet drains, at most. */
	static final Duration DRAIN_MARGIN = Duration.ofSeconds(30);

	private final ScheduledFuture<?> drain;

	private final ScheduledFuture<?> close;

	private CertificateExpiry(ScheduledFuture<?> drain, ScheduledFuture<?> close) {
		this.drain = drain;
		this.close = close;
	}

	/** Schedules, on the connection's event loop, its drain and its close for its certificate's end. */
	static CertificateExpiry watch(TunnelConnection connection, X509Certificate certificate, EventLoop loop) {
		long untilExpiry = certificate.getNotAfter().getTime() - System.currentTimeMillis();
		long drainMargin = Math.min(DRAIN_MARGIN.toMillis(), Math.max(0, untilExpiry) / 10);
		String serial = certificate.getSerialNumber().toString(16);
		ScheduledFuture<?> drain = loop.schedule(() -> connection.drainByEdge("its origin certificate " + serial
				+ " expires at " + certificate.getNotAfter().toInstant()), Math.max(0, untilExpiry - drainMargin),
				TimeUnit.MILLISECONDS);
		ScheduledFuture<?> close = loop.schedule(() -> connection.closeWithReason("its origin certificate " + serial
				+ " expired at " + certificate.getNotAfter().toInstant()), Math.max(0, untilExpiry), TimeUnit.MILLISECONDS);
		return new CertificateExpiry(drain, close);
	}

	/** The connection closed: nothing is left to do. */
	void cancel() {
		this.drain.cancel(false);
		this.close.cancel(false);
	}

}
