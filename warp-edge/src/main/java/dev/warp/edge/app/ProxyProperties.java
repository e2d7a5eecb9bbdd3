package dev.warp.edge.app;

import java.time.Duration;

import dev.warp.edge.ProxySettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.util.unit.DataSize;

/**
 * Settings of request forwarding, under {@code edge.proxy.}: what the operator set, applied to
 * {@link ProxySettings}, which owns the defaults.
 */
public class ProxyProperties {

	/**
	 * How long the edge waits for an agent's response headers before it answers the
	 * visitor 504 and cancels the request.
	 */
	private @Nullable Duration responseTimeout;

	/**
	 * How long a stream may pass no byte in either direction once the agent's response has
	 * started; then the visitor's response is aborted and the stream reset, so the
	 * application's work stops. Long enough for a quiet Server-Sent Events stream with
	 * keep-alive comments, short enough that a stalled peer does not hold a stream forever.
	 * WebSocket streams are not subject to it.
	 */
	private @Nullable Duration idleTimeout;

	/**
	 * How often the edge pings the visitor of an open WebSocket (its pong stops at the
	 * edge), so that a WebSocket without traffic survives the idle timeouts of NATs, load
	 * balancers and proxies between the visitor and the edge, which are often 60 s. Zero: no
	 * pings.
	 */
	private @Nullable Duration webSocketPingInterval;

	/**
	 * Largest request body the edge forwards. A request that declares a larger
	 * Content-Length is answered 413 without reaching the application; a body that grows
	 * past it while streaming is cut: the application's stream is reset and the visitor gets
	 * 413 (or its connection is closed when the response had started). Unset: no limit, a
	 * body of any size streams through under flow control.
	 */
	private @Nullable DataSize maxRequestBody;

	public @Nullable Duration getResponseTimeout() {
		return this.responseTimeout;
	}

	public void setResponseTimeout(@Nullable Duration responseTimeout) {
		this.responseTimeout = responseTimeout;
	}

	public @Nullable Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(@Nullable Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public @Nullable Duration getWebSocketPingInterval() {
		return this.webSocketPingInterval;
	}

	public void setWebSocketPingInterval(@Nullable Duration webSocketPingInterval) {
		this.webSocketPingInterval = webSocketPingInterval;
	}

	public @Nullable DataSize getMaxRequestBody() {
		return this.maxRequestBody;
	}

	public void setMaxRequestBody(@Nullable DataSize maxRequestBody) {
		this.maxRequestBody = maxRequestBody;
	}


	void applyTo(ProxySettings.Builder builder) {
		PropertyMapper map = PropertyMapper.get();
		map.from(this::getResponseTimeout).to(builder::responseTimeout);
		map.from(this::getIdleTimeout).to(builder::idleTimeout);
		map.from(this::getWebSocketPingInterval).to(builder::webSocketPingInterval);
		map.from(this::getMaxRequestBody).as(DataSize::toBytes).to(builder::maxRequestBody);
	}

}
