package dev.warp.edge;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How the edge forwards a visitor's request to an agent: how long it waits, how long a quiet
 * stream lives, how large a body may be. Part of {@link EdgeSettings}, which owns the defaults
 * through {@link Builder}.
 * @param responseTimeout how long the edge waits for the response headers before a {@code 504}
 * @param idleTimeout how long a stream may pass no byte in either direction once the response
 * has started; then both ends are reset
 * @param webSocketPingInterval how often the edge pings the visitor of an open WebSocket, or
 * {@code null} when it does not
 * @param maxRequestBody the largest request body forwarded, in bytes; {@link Long#MAX_VALUE} for
 * no limit
 */
public record ProxySettings(Duration responseTimeout, Duration idleTimeout, @Nullable Duration webSocketPingInterval,
		long maxRequestBody) {

	/** Builds {@link ProxySettings}; every setting left unset takes its default. */
	public static final class Builder {

		private Duration responseTimeout = Duration.ofSeconds(100);

		private Duration idleTimeout = Duration.ofMinutes(5);

		private @Nullable Duration webSocketPingInterval = Duration.ofSeconds(30);

		private long maxRequestBody = Long.MAX_VALUE;

		Builder() {
		}

		/** Default: 100 seconds. */
		public Builder responseTimeout(Duration responseTimeout) {
			this.responseTimeout = Checks.positive(responseTimeout, "responseTimeout");
			return this;
		}

		/** Default: 5 minutes. */
		public Builder idleTimeout(Duration idleTimeout) {
			this.idleTimeout = Checks.positive(idleTimeout, "idleTimeout");
			return this;
		}

		/** Default: 30 seconds; {@code null} or zero: no pings. */
		public Builder webSocketPingInterval(@Nullable Duration interval) {
			this.webSocketPingInterval = (interval == null || interval.isZero()) ? null
					: Checks.positive(interval, "webSocketPingInterval");
			return this;
		}

		/** Default: no limit ({@link Long#MAX_VALUE}). */
		public Builder maxRequestBody(long maxRequestBody) {
			if (maxRequestBody < 0) {
				throw new IllegalArgumentException("maxRequestBody must not be negative, was " + maxRequestBody);
			}
			this.maxRequestBody = maxRequestBody;
			return this;
		}

		public ProxySettings build() {
			return new ProxySettings(this.responseTimeout, this.idleTimeout, this.webSocketPingInterval,
					this.maxRequestBody);
		}

	}

}
