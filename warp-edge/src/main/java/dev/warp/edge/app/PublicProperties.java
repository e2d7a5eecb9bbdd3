package dev.warp.edge.app;

import java.time.Duration;

import dev.warp.edge.PublicListenerSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the public listener, under {@code edge.public.}: what the operator set, applied to
 * {@link PublicListenerSettings}, which owns the defaults.
 */
public class PublicProperties {

	/**
	 * Port visitors connect to (HTTP/1.1 and h2c). 0 picks a free port, which the edge logs.
	 */
	private @Nullable Integer port;

	/**
	 * Largest request header section a visitor may send; a larger one is answered 431 and
	 * its connection closed. Also the HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE. The default
	 * takes the cookies and tokens of real browsers while bounding the memory one
	 * connection can make the edge hold before a request is even routed.
	 */
	private @Nullable DataSize maxHeaderSize;

	/**
	 * Longest request line (method, target and version) a visitor may send; a longer one is
	 * answered 414. Bounds long query strings; the default is above what browsers and
	 * common CDNs accept for a URL.
	 */
	private @Nullable DataSize maxInitialLineLength;

	/**
	 * How long a visitor has to send a request's complete headers, counted from the
	 * connection's opening (TLS handshake included) or from the end of the previous response
	 * on the connection; then the connection is closed. Defends against visitors that send
	 * headers byte by byte to hold connections open (slowloris); the default is far
	 * longer than any real client needs.
	 */
	private @Nullable Duration readTimeout;

	/**
	 * Streams an HTTP/2 visitor may have open at once on one connection
	 * (SETTINGS_MAX_CONCURRENT_STREAMS); streams beyond it are refused. The default (as in
	 * common web servers) serves a browser's page loads while bounding what one
	 * connection can ask of the edge and the tunnels.
	 */
	private @Nullable Integer maxConcurrentStreams;

	/**
	 * Visitor connections open at once on the public listeners, cleartext and TLS together;
	 * one more is closed as soon as it is accepted. Keeps a flood of visitors from taking the
	 * file descriptors that agents' tunnel connections need. Default: nine tenths of the
	 * process's file-descriptor limit.
	 */
	private @Nullable Integer maxConnections;

	/**
	 * Visitor connections open at once from one client address (an IPv6 client: its /64);
	 * one more from it is closed as soon as it is accepted, while other addresses are served.
	 * Keeps one client from filling max-connections and locking every other visitor out.
	 */
	private @Nullable Integer maxConnectionsPerAddress;

	/**
	 * How long the public listeners refuse new connections from a client address after the
	 * edge closed one of its connections for abuse (HTTP/2 rapid reset or another flood the
	 * edge answers with GOAWAY ENHANCE_YOUR_CALM). Doubled for each repeat, up to
	 * max-abuse-penalty.
	 */
	private @Nullable Duration abusePenalty;

	/**
	 * Longest refusal of an abusive client address. An address that stays quiet this long
	 * after its refusal ends is forgotten: its next abuse starts again at abuse-penalty.
	 */
	private @Nullable Duration maxAbusePenalty;

	/**
	 * TLS public listener (HTTP/1.1 and HTTP/2 by ALPN).
	 */
	@NestedConfigurationProperty
	private final PublicTlsProperties tls = new PublicTlsProperties();

	public @Nullable Integer getPort() {
		return this.port;
	}

	public void setPort(@Nullable Integer port) {
		this.port = port;
	}

	public @Nullable DataSize getMaxHeaderSize() {
		return this.maxHeaderSize;
	}

	public void setMaxHeaderSize(@Nullable DataSize maxHeaderSize) {
		this.maxHeaderSize = maxHeaderSize;
	}

	public @Nullable DataSize getMaxInitialLineLength() {
		return this.maxInitialLineLength;
	}

	public void setMaxInitialLineLength(@Nullable DataSize maxInitialLineLength) {
		this.maxInitialLineLength = maxInitialLineLength;
	}

	public @Nullable Duration getReadTimeout() {
		return this.readTimeout;
	}

	public void setReadTimeout(@Nullable Duration readTimeout) {
		this.readTimeout = readTimeout;
	}

	public @Nullable Integer getMaxConcurrentStreams() {
		return this.maxConcurrentStreams;
	}

	public void setMaxConcurrentStreams(@Nullable Integer maxConcurrentStreams) {
		this.maxConcurrentStreams = maxConcurrentStreams;
	}

	public @Nullable Integer getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(@Nullable Integer maxConnections) {
		this.maxConnections = maxConnections;
	}

	public @Nullable Integer getMaxConnectionsPerAddress() {
		return this.maxConnectionsPerAddress;
	}

	public void setMaxConnectionsPerAddress(@Nullable Integer maxConnectionsPerAddress) {
		this.maxConnectionsPerAddress = maxConnectionsPerAddress;
	}

	public @Nullable Duration getAbusePenalty() {
		return this.abusePenalty;
	}

	public void setAbusePenalty(@Nullable Duration abusePenalty) {
		this.abusePenalty = abusePenalty;
	}

	public @Nullable Duration getMaxAbusePenalty() {
		return this.maxAbusePenalty;
	}

	public void setMaxAbusePenalty(@Nullable Duration maxAbusePenalty) {
		this.maxAbusePenalty = maxAbusePenalty;
	}

	public PublicTlsProperties getTls() {
		return this.tls;
	}

	void applyTo(PublicListenerSettings.Builder builder) {
		PropertyMapper map = PropertyMapper.get();
		map.from(this::getPort).to(builder::port);
		map.from(this::getMaxHeaderSize).as(PropertyChecks.intBytes("edge.public.max-header-size")).to(builder::maxHeaderSize);
		map.from(this::getMaxInitialLineLength)
			.as(PropertyChecks.intBytes("edge.public.max-initial-line-length"))
			.to(builder::maxInitialLineLength);
		map.from(this::getReadTimeout).to(builder::headerReadTimeout);
		map.from(this::getMaxConcurrentStreams).to(builder::maxConcurrentStreams);
		map.from(this::getMaxConnections)
			.as(PropertyChecks.atLeastOne("edge.public.max-connections",
					"; leave it unset for the default (nine tenths of the file-descriptor limit)"))
			.to(builder::maxConnections);
		map.from(this::getMaxConnectionsPerAddress)
			.as(PropertyChecks.atLeastOne("edge.public.max-connections-per-address", ""))
			.to(builder::maxConnectionsPerAddress);
		map.from(this::getAbusePenalty).as(PropertyChecks.positive("edge.public.abuse-penalty")).to(builder::abusePenalty);
		map.from(this::getMaxAbusePenalty)
			.as(PropertyChecks.positive("edge.public.max-abuse-penalty"))
			.to(builder::maxAbusePenalty);
		checkAbusePenalties();
		map.from(this.tls::getPort).as(this.tls::toSettings).to(builder::tls);
	}

	/** The penalties against each other, named as the operator knows them; an unset one counts at its default. */
	private void checkAbusePenalties() {
		if (this.abusePenalty == null && this.maxAbusePenalty == null) {
			return;
		}
		PublicListenerSettings defaults = PublicListenerSettings.defaults();
		Duration first = (this.abusePenalty != null) ? this.abusePenalty : defaults.abusePenalty();
		Duration max = (this.maxAbusePenalty != null) ? this.maxAbusePenalty : defaults.maxAbusePenalty();
		if (max.compareTo(first) < 0) {
			throw new IllegalArgumentException("edge.public.max-abuse-penalty (" + max
					+ ") must not be shorter than edge.public.abuse-penalty (" + first + ")");
		}
	}

}
