package dev.warp.edge;

import java.time.Duration;

import dev.warp.edge.EdgeSettings.PublicTls;
import dev.warp.edge.visitor.VisitorConnectionLimit;
import org.jspecify.annotations.Nullable;

/**
 * The public listeners, where visitors' requests arrive: their ports and the limits that keep
 * one visitor from taking what the others need. Part of {@link EdgeSettings}, which owns the
 * defaults through {@link Builder}.
 * @param port port of the cleartext listener; {@code 0} picks a free one
 * @param maxHeaderSize the largest request header section, in bytes (then {@code 431})
 * @param maxInitialLineLength the longest request line, in bytes (then {@code 414})
 * @param headerReadTimeout how long a visitor has to send a request's headers
 * @param maxConcurrentStreams HTTP/2 streams a visitor may have open at once on one connection
 * @param maxConnections visitor connections open at once, cleartext and TLS together
 * @param maxConnectionsPerAddress visitor connections open at once from one client address
 * @param abusePenalty how long a client address is refused after an abuse, doubled per repeat
 * @param maxAbusePenalty the longest refusal of an abusive client address
 * @param tls the TLS listener, or {@code null} for cleartext only
 */
public record PublicListenerSettings(int port, int maxHeaderSize, int maxInitialLineLength, Duration headerReadTimeout,
		int maxConcurrentStreams, int maxConnections, int maxConnectionsPerAddress, Duration abusePenalty,
		Duration maxAbusePenalty, @Nullable PublicTls tls) {

	/** The settings of a public listener no setting was given for. */
	public static PublicListenerSettings defaults() {
		return new Builder().build();
	}

	/** Builds {@link PublicListenerSettings}; every setting left unset takes its default. */
	public static final class Builder {

		private int port = 8080;

		private int maxHeaderSize = 32 * 1024;

		private int maxInitialLineLength = 16 * 1024;

		private Duration headerReadTimeout = Duration.ofSeconds(20);

		private int maxConcurrentStreams = 128;

		private @Nullable Integer maxConnections;

		private int maxConnectionsPerAddress = VisitorConnectionLimit.DEFAULT_MAX_PER_ADDRESS;

		private Duration abusePenalty = Duration.ofSeconds(10);

		private Duration maxAbusePenalty = Duration.ofMinutes(10);

		private @Nullable PublicTls tls;

		Builder() {
		}

		/** Default: {@code 8080}; {@code 0} picks a free port. */
		public Builder port(int port) {
			this.port = Checks.port(port);
			return this;
		}

		/** Default: 32 KiB. */
		public Builder maxHeaderSize(int maxHeaderSize) {
			this.maxHeaderSize = Checks.atLeast(maxHeaderSize, 1024, "maxHeaderSize");
			return this;
		}

		/** Default: 16 KiB. */
		public Builder maxInitialLineLength(int maxInitialLineLength) {
			this.maxInitialLineLength = Checks.atLeast(maxInitialLineLength, 256, "maxInitialLineLength");
			return this;
		}

		/** Default: 20 seconds. */
		public Builder headerReadTimeout(Duration headerReadTimeout) {
			this.headerReadTimeout = Checks.positive(headerReadTimeout, "headerReadTimeout");
			return this;
		}

		/** Default: 128. */
		public Builder maxConcurrentStreams(int maxConcurrentStreams) {
			this.maxConcurrentStreams = Checks.atLeast(maxConcurrentStreams, 1, "maxConcurrentStreams");
			return this;
		}

		/**
		 * Default: nine tenths of the process's file-descriptor limit
		 * ({@link VisitorConnectionLimit#defaultMax()}).
		 */
		public Builder maxConnections(int maxConnections) {
			this.maxConnections = Checks.atLeast(maxConnections, 1, "maxConnections");
			return this;
		}

		/** Default: {@value VisitorConnectionLimit#DEFAULT_MAX_PER_ADDRESS}. */
		public Builder maxConnectionsPerAddress(int maxConnectionsPerAddress) {
			this.maxConnectionsPerAddress = Checks.atLeast(maxConnectionsPerAddress, 1, "maxConnectionsPerAddress");
			return this;
		}

		/** Default: 10 seconds, doubled per repeat up to {@link #maxAbusePenalty(Duration)}. */
		public Builder abusePenalty(Duration abusePenalty) {
			this.abusePenalty = Checks.positive(abusePenalty, "abusePenalty");
			return this;
		}

		/** Default: 10 minutes; not shorter than {@link #abusePenalty(Duration)}. */
		public Builder maxAbusePenalty(Duration maxAbusePenalty) {
			this.maxAbusePenalty = Checks.positive(maxAbusePenalty, "maxAbusePenalty");
			return this;
		}

		/** Default: none, visitors are served over cleartext only. */
		public Builder tls(@Nullable PublicTls tls) {
			this.tls = tls;
			return this;
		}

		public PublicListenerSettings build() {
			if (this.maxAbusePenalty.compareTo(this.abusePenalty) < 0) {
				throw new IllegalArgumentException("maxAbusePenalty (" + this.maxAbusePenalty
						+ ") must not be shorter than abusePenalty (" + this.abusePenalty + ")");
			}
			int connections = (this.maxConnections != null) ? this.maxConnections : VisitorConnectionLimit.defaultMax();
			return new PublicListenerSettings(this.port, this.maxHeaderSize, this.maxInitialLineLength,
					this.headerReadTimeout, this.maxConcurrentStreams, connections, this.maxConnectionsPerAddress,
					this.abusePenalty, this.maxAbusePenalty, this.tls);
		}

	}

}
