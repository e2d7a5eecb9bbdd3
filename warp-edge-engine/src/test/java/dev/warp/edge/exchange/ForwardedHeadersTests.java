package dev.warp.edge.exchange;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.warp.core.protocol.TunnelProtocol;
import dev.warp.edge.tunnel.ResponseHead;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ForwardedHeaders}.
 */
class ForwardedHeadersTests {

	@Test
	void keepsOriginFormTargetsAsTheyAre() {
		assertThat(ForwardedHeaders.path("/a/%7E//b?q=a+b&&")).isEqualTo("/a/%7E//b?q=a+b&&");
		assertThat(ForwardedHeaders.path("*")).isEqualTo("*");
	}

	@Test
	void reducesAbsoluteFormTargetsToPathAndQuery() {
		assertThat(ForwardedHeaders.path("http://shop.test/a/b?c=d")).isEqualTo("/a/b?c=d");
		assertThat(ForwardedHeaders.path("http://shop.test")).isEqualTo("/");
		assertThat(ForwardedHeaders.path("http://shop.test?x=1")).isEqualTo("/?x=1");
	}

	@Test
	void parsesStatus() {
		assertThat(ResponseHead.parseStatus("200")).isEqualTo(200);
		assertThat(ResponseHead.parseStatus("99")).isEqualTo(-1);
		assertThat(ResponseHead.parseStatus("600")).isEqualTo(-1);
		assertThat(ResponseHead.parseStatus("2x0")).isEqualTo(-1);
		assertThat(ResponseHead.parseStatus(null)).isEqualTo(-1);
	}

	@Test
	void tunnelHeadersCarryTheEdgesForwardingHeadersInPlaceOfTheVisitors() {
		HttpHeaders visitor = new DefaultHttpHeaders();
		visitor.add("X-Forwarded-For", "10.0.0.1");
		visitor.add("X-Forwarded-Host", "evil.test");
		visitor.add("X-Forwarded-Proto", "https");
		visitor.add("Warp-Ray", "forged");
		visitor.add("Warp-Connecting-IP", "10.9.9.9");
		Http2Headers tunnel = ForwardedHeaders.forTunnel(HttpMethod.GET, "/a", visitor, "http", "shop.test",
				"192.0.2.7", "ray-1");
		assertThat(tunnel.getAll(TunnelProtocol.X_FORWARDED_FOR)).containsExactly("192.0.2.7");
		assertThat(tunnel.getAll(TunnelProtocol.X_FORWARDED_PORT)).containsExactly("80");
		assertThat(tunnel.getAll(TunnelProtocol.X_FORWARDED_HOST)).containsExactly("shop.test");
		assertThat(tunnel.getAll(TunnelProtocol.X_FORWARDED_PROTO)).containsExactly("http");
		assertThat(tunnel.getAll(TunnelProtocol.RAY_HEADER)).containsExactly("ray-1");
		assertThat(tunnel.getAll(TunnelProtocol.CONNECTING_IP_HEADER)).containsExactly("192.0.2.7");
	}

	@Test
	void theForwardedPortIsTheOneTheVisitorAddressed() {
		assertThat(ForwardedHeaders.port("shop.test", "http")).isEqualTo("80");
		assertThat(ForwardedHeaders.port("shop.test", "https")).isEqualTo("443");
		assertThat(ForwardedHeaders.port("shop.test:8080", "https")).isEqualTo("8080");
		assertThat(ForwardedHeaders.port("[::1]:8443", "http")).isEqualTo("8443");
		assertThat(ForwardedHeaders.port("[::1]", "http")).isEqualTo("80");
		assertThat(ForwardedHeaders.port("shop.test:", "http")).isEqualTo("80");
	}

	@Test
	void tunnelHeaderNamesAreLowerCaseAndRepeatedHeadersKeepTheirOrder() {
		HttpHeaders visitor = new DefaultHttpHeaders();
		visitor.add("X-Custom", "one");
		visitor.add("x-custom", "two");
		visitor.add("Accept", "text/plain");
		Http2Headers tunnel = ForwardedHeaders.forTunnel(HttpMethod.POST, "/b?c", visitor, "https", "shop.test",
				"192.0.2.7", "ray-2");
		List<String> names = new ArrayList<>();
		for (Map.Entry<CharSequence, CharSequence> header : tunnel) {
			names.add(header.getKey().toString());
		}
		assertThat(names).allSatisfy((name) -> assertThat(name).isEqualTo(name.toLowerCase(Locale.ROOT)));
		assertThat(tunnel.getAll("x-custom")).containsExactly("one", "two");
		assertThat(tunnel.get("accept")).hasToString("text/plain");
		assertThat(tunnel.method()).hasToString("POST");
		assertThat(tunnel.path()).hasToString("/b?c");
		assertThat(tunnel.scheme()).hasToString("https");
		assertThat(tunnel.authority()).hasToString("shop.test");
	}

}
