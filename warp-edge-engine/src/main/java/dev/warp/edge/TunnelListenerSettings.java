package dev.warp.edge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.warp.edge.tunnel.TunnelHandshakeLimit;
import org.jspecify.annotations.Nullable;

/**
 * The tunnel listener, which agents dial, and how the edge keeps their connections: handshake
 * limits, registration, heartbeats and the drain at shutdown. Part of {@link EdgeSettings},
 * which owns the defaults through {@link Builder}.
 * @param port port agents dial; {@code 0} picks a free one
 * @param certificateNames names of the edge's tunnel certificate as configured, before
 * {@link EdgeSettings#tunnelCertificateNames()} adds the advertised hosts
 * @param registrationTimeout how long a new connection may take to register
 * @param heartbeatInterval interval of the edge's HTTP/2 PINGs on every tunnel connection
 * @param heartbeatMaxMissed unanswered PINGs in a row after which a connection is dead
 * @param drainTimeout how long a graceful shutdown waits for agents to move away
 * @param handshakeTimeout how long a new connection has to complete its TLS handshake
 * @param maxHandshakes tunnel connections in their TLS handshake at once
 * @param maxHandshakesPerAddress of those, from one client address
 */
public record TunnelListenerSettings(int port, List<String> certificateNames, Duration registrationTimeout,
		Duration heartbeatInterval, int heartbeatMaxMissed, Duration drainTimeout, Duration handshakeTimeout,
		int maxHandshakes, int maxHandshakesPerAddress) {

	/** Builds {@link TunnelListenerSettings}; every setting left unset takes its default. */
	public static final class Builder {

		private int port = 7844;

		private @Nullable List<String> certificateNames;

		private Duration registrationTimeout = Duration.ofSeconds(10);

		private Duration heartbeatInterval = Duration.ofSeconds(5);

		private int heartbeatMaxMissed = 3;

		private Duration drainTimeout = Duration.ofSeconds(30);

		private Duration handshakeTimeout = Duration.ofSeconds(5);

		private @Nullable Integer maxHandshakes;

		private @Nullable Integer maxHandshakesPerAddress;

		Builder() {
		}

		/** Default: {@code 7844}; {@code 0} picks a free port. */
		public Builder port(int port) {
			this.port = Checks.port(port);
			return this;
		}

		/** Default: {@code localhost}, {@code 127.0.0.1}, {@code ::1} and the machine's hostname. */
		public Builder certificateNames(List<String> names) {
			List<String> copy = new ArrayList<>();
			for (String name : names) {
				String trimmed = name.trim();
				if (!trimmed.isEmpty() && !copy.contains(trimmed)) {
					copy.add(trimmed);
				}
			}
			if (copy.isEmpty()) {
				throw new IllegalArgumentException("The edge's tunnel certificate needs at least one name");
			}
			this.certificateNames = List.copyOf(copy);
			return this;
		}

		/** Default: 10 seconds. */
		public Builder registrationTimeout(Duration registrationTimeout) {
			this.registrationTimeout = Checks.positive(registrationTimeout, "registrationTimeout");
			return this;
		}

		/** Default: 5 seconds. */
		public Builder heartbeatInterval(Duration interval) {
			this.heartbeatInterval = Checks.positive(interval, "heartbeatInterval");
			return this;
		}

		/** Default: 3. */
		public Builder heartbeatMaxMissed(int maxMissed) {
			this.heartbeatMaxMissed = Checks.atLeast(maxMissed, 1, "heartbeatMaxMissed");
			return this;
		}

		/** Default: 30 seconds. */
		public Builder drainTimeout(Duration drainTimeout) {
			this.drainTimeout = Checks.positive(drainTimeout, "drainTimeout");
			return this;
		}

		/** Default: 5 seconds. */
		public Builder handshakeTimeout(Duration handshakeTimeout) {
			this.handshakeTimeout = Checks.positive(handshakeTimeout, "tunnelHandshakeTimeout");
			return this;
		}

		/**
		 * Default: a twentieth of the process's file-descriptor limit, at most 1024
		 * ({@link TunnelHandshakeLimit#defaultMax()}).
		 */
		public Builder maxHandshakes(int maxHandshakes) {
			this.maxHandshakes = Checks.atLeast(maxHandshakes, 1, "maxTunnelHandshakes");
			return this;
		}

		/**
		 * Default: a quarter of {@link #maxHandshakes(int)}, at most 256
		 * ({@link TunnelHandshakeLimit#defaultMaxPerAddress}), so that one address cannot hold them all.
		 */
		public Builder maxHandshakesPerAddress(int maxHandshakesPerAddress) {
			this.maxHandshakesPerAddress = Checks.atLeast(maxHandshakesPerAddress, 1, "maxTunnelHandshakesPerAddress");
			return this;
		}

		public TunnelListenerSettings build() {
			int handshakes = (this.maxHandshakes != null) ? this.maxHandshakes : TunnelHandshakeLimit.defaultMax();
			int perAddress = (this.maxHandshakesPerAddress != null) ? this.maxHandshakesPerAddress
					: TunnelHandshakeLimit.defaultMaxPerAddress(handshakes);
			List<String> names = (this.certificateNames != null) ? this.certificateNames : defaultCertificateNames();
			return new TunnelListenerSettings(this.port, names, this.registrationTimeout, this.heartbeatInterval,
					this.heartbeatMaxMissed, this.drainTimeout, this.handshakeTimeout, handshakes, perAddress);
		}

		/**
		 * The loopback names, so that agents on this machine can dial {@code localhost} or an
		 * address, plus the machine's hostname, so that agents elsewhere can dial it by name.
		 */
		private static List<String> defaultCertificateNames() {
			Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
			String hostname = LocalHostname.get();
			if (hostname != null) {
				names.add(hostname);
			}
			return List.copyOf(names);
		}

	}

}
