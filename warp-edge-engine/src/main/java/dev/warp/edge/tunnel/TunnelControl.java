package dev.warp.edge.tunnel;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.warp.core.pki.CertificateNames;
import dev.warp.core.protocol.ControlMessage;
import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.log.LogText;
import dev.warp.edge.log.RepeatedWarning;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control stream of one {@link TunnelConnection}: the edge opens it, the agent registers on
 * it within the registration timeout (checked against the protocol version and its origin
 * certificate), then asks on it to drain and says whether its application is ready; the edge
 * answers there, or says there why it refuses the registration. Confined to the connection's
 * event loop, but for {@link #send}.
 */
final class TunnelControl {

	/** The connection's logger: what happens on its control stream is the connection's story. */
	private static final Logger logger = LoggerFactory.getLogger(TunnelConnection.class);

	/** Agents retry a refused registration: one line a minute says how many were refused. */
	private static final RepeatedWarning refusedRegistrations = new RepeatedWarning(logger,
			"tunnel registration(s) refused");

	private final TunnelConnection connection;

	private final Channel channel;

	private final String nodeId;

	private final Duration registrationTimeout;

	private final X509Certificate certificate;

	private @Nullable ScheduledFuture<?> registrationTimer;

	private @Nullable ControlStream stream;

	TunnelControl(TunnelConnection connection, Channel channel, String nodeId, Duration registrationTimeout,
			X509Certificate certificate) {
		this.connection = connection;
		this.channel = channel;
		this.nodeId = nodeId;
		this.registrationTimeout = registrationTimeout;
		this.certificate = certificate;
	}

	/** On the event loop once HTTP/2 is set up: opens the stream and starts the registration's clock. */
	void open() {
		this.registrationTimer = this.channel.eventLoop()
			.schedule(this::registrationTimedOut, this.registrationTimeout.toMillis(), TimeUnit.MILLISECONDS);
		ControlStream stream = new ControlStream(this.connection, this.nodeId);
		this.stream = stream;
		new Http2StreamChannelBootstrap(this.channel).handler(stream).open().addListener((Future<Http2StreamChannel> f) -> {
			if (!f.isSuccess()) {
				this.connection.closeWithReason("cannot open the control stream: " + f.cause());
			}
		});
	}

	/** A message from the agent. */
	void received(ControlMessage message) {
		if (this.connection.state() == ConnectionState.CONNECTED) {
			register(message);
			return;
		}
		switch (message.type()) {
			case ControlMessage.DRAIN -> {
				this.connection.drain("the agent asked to drain");
				// After the state change, on this event loop: every stream opened before it is on
				// the wire before this acknowledgement.
				send(ControlMessage.of(ControlMessage.DRAIN_ACK));
			}
			case ControlMessage.REGISTER -> logger.warn("Tunnel connection {} from {} registered again; ignored: {}",
					this.connection.id(), this.connection.remoteAddress(), LogText.escape(message.toString()));
			case ControlMessage.READY -> this.connection.readiness(true);
			case ControlMessage.NOT_READY -> this.connection.readiness(false);
			// Later versions may send more: ignoring what is unknown keeps old edges working.
			default -> logger.debug("Tunnel connection {}: ignored control message {}", this.connection.id(),
					LogText.escape(message.toString()));
		}
	}

	private void register(ControlMessage message) {
		if (!ControlMessage.REGISTER.equals(message.type())) {
			this.connection.closeWithReason(
					"the agent's first control message is '" + message.type() + "', expected 'register'");
			return;
		}
		String version = message.get("version");
		if (version != null && !version.equals(String.valueOf(TunnelProtocol.VERSION))) {
			this.connection.closeWithReason("the agent speaks tunnel protocol version " + version
					+ ", this edge speaks " + TunnelProtocol.VERSION);
			return;
		}
		String name = TunnelProtocol.routingHostname(message.get("hostname"));
		if (name == null) {
			this.connection.closeWithReason("the agent's register message has no hostname: " + message);
			return;
		}
		if (!CertificateNames.dnsNames(this.certificate).contains(name)) {
			this.connection.closeWithReason("the agent registered " + name + " but its origin certificate is for "
					+ CertificateNames.dnsNames(this.certificate) + "; an origin certificate serves its own hostname only");
			return;
		}
		cancelRegistrationTimer();
		String agentId = (message.get("agent") != null) ? message.get("agent") : "unknown";
		String agentConnection = message.get("connection");
		String refusal = this.connection.registered(name, agentId, agentConnection,
				!"false".equals(message.get(ControlMessage.READY_ATTRIBUTE)));
		if (refusal != null) {
			refuse(refusal);
			return;
		}
		logger.info("Tunnel connection {} from {} registered {} (agent {}, connection {}, account zone {})",
				this.connection.id(), this.connection.remoteAddress(), name, LogText.escape(agentId),
				LogText.escape(agentConnection), this.connection.account());
		// The agent counts itself registered only once the route exists.
		send(ControlMessage.of(ControlMessage.REGISTERED).with("node", this.nodeId));
	}

	/**
	 * Sends a message to the agent.
	 * @return whether the stream was open to take it
	 */
	boolean send(ControlMessage message) {
		ControlStream stream = this.stream;
		return stream != null && stream.send(message);
	}

	/** Tells the agent why its registration is refused, then closes the connection. */
	void refuse(String why) {
		this.connection.closingBecause(why);
		refusedRegistrations.occurred("connection " + this.connection.id() + " from " + this.connection.remoteAddress()
				+ " (agent " + this.connection.agentId() + "): " + why);
		ControlStream stream = this.stream;
		ControlMessage refused = ControlMessage.of(ControlMessage.REFUSED).with(ControlMessage.REASON_ATTRIBUTE, why);
		if (stream == null) {
			this.channel.close();
			return;
		}
		stream.sendLast(refused, this.channel).addListener((written) -> this.channel.close());
	}

	/** The stream ended: nothing more is sent on it. */
	void ended() {
		this.stream = null;
	}

	void cancelRegistrationTimer() {
		if (this.registrationTimer != null) {
			this.registrationTimer.cancel(false);
			this.registrationTimer = null;
		}
	}

	private void registrationTimedOut() {
		if (this.connection.state() == ConnectionState.CONNECTED) {
			this.connection.closeWithReason(
					"the agent did not register within " + this.registrationTimeout.toMillis() + " ms");
		}
	}

}
