package dev.warp.edge.visitor;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link VisitorRequestHead}.
 */
class VisitorRequestHeadTests {

	@Test
	void hostsAreNamesOrAddressesWithAnOptionalPort() {
		assertThat(VisitorRequestHead.isValidHost("shop.test")).isTrue();
		assertThat(VisitorRequestHead.isValidHost("shop.test:8080")).isTrue();
		assertThat(VisitorRequestHead.isValidHost("shop.test:")).isTrue();
		assertThat(VisitorRequestHead.isValidHost("127.0.0.1:80")).isTrue();
		assertThat(VisitorRequestHead.isValidHost("[::1]:8443")).isTrue();
		assertThat(VisitorRequestHead.isValidHost("")).isFalse();
		assertThat(VisitorRequestHead.isValidHost("shop.test:http")).isFalse();
		assertThat(VisitorRequestHead.isValidHost("shop.test:99999")).isFalse();
		assertThat(VisitorRequestHead.isValidHost("user@shop.test")).isFalse();
		assertThat(VisitorRequestHead.isValidHost("shop test")).isFalse();
		assertThat(VisitorRequestHead.isValidHost("[::1")).isFalse();
		assertThat(VisitorRequestHead.isValidHost(":80")).isFalse();
	}

	@Test
	void anAbsoluteFormTargetBecomesItsPathWithItsAuthorityAsHost() {
		HttpRequest request = request(HttpVersion.HTTP_1_1, "http://b.test:81/x?y=1", "a.test");
		assertThat(VisitorRequestHead.accept(request)).isNull();
		assertThat(request.uri()).isEqualTo("/x?y=1");
		assertThat(request.headers().getAll("Host")).containsExactly("b.test:81");
		assertThat(status(request(HttpVersion.HTTP_1_1, "ftp://b.test/x", "a.test"))).isEqualTo(400);
		assertThat(status(request(HttpVersion.HTTP_1_1, "http://user@b.test/x", "a.test"))).isEqualTo(400);
		assertThat(status(request(HttpVersion.HTTP_1_1, "x", "a.test"))).isEqualTo(400);
	}

	@Test
	void oneValidHostIsAccepted() {
		assertThat(VisitorRequestHead.accept(request(HttpVersion.HTTP_1_1, "/", "a.test"))).isNull();
		HttpRequest twice = request(HttpVersion.HTTP_1_1, "/", "a.test");
		twice.headers().add("Host", "a.test");
		assertThat(status(twice)).isEqualTo(400);
		assertThat(status(request(HttpVersion.HTTP_1_1, "/", "a.test:x"))).isEqualTo(400);
	}

	@Test
	void chunkedOnceIsTheOnlyTransferCoding() {
		assertThat(status(withCoding(HttpVersion.HTTP_1_1, "chunked"))).isNull();
		assertThat(status(withCoding(HttpVersion.HTTP_1_1, "Chunked"))).isNull();
		assertThat(status(withCoding(HttpVersion.HTTP_1_1, "xchunked"))).isEqualTo(501);
		assertThat(status(withCoding(HttpVersion.HTTP_1_1, "gzip, chunked"))).isEqualTo(501);
		assertThat(status(withCoding(HttpVersion.HTTP_1_1, "identity"))).isEqualTo(501);
		assertThat(status(withCoding(HttpVersion.HTTP_1_1, "chunked, chunked"))).isEqualTo(400);
		assertThat(status(withCoding(HttpVersion.HTTP_1_1, ","))).isEqualTo(400);
		assertThat(status(withCoding(HttpVersion.HTTP_1_0, "chunked"))).isEqualTo(400);
	}

	@Test
	void anHttp2HostMustNameItsAuthority() {
		assertThat(VisitorRequestHead.hostsAgree(new DefaultHttp2Headers().authority("a.test"))).isTrue();
		assertThat(VisitorRequestHead.hostsAgree(new DefaultHttp2Headers().authority("a.test").add("host", "A.test")))
			.isTrue();
		assertThat(VisitorRequestHead.hostsAgree(new DefaultHttp2Headers().authority("a.test").add("host", "b.test")))
			.isFalse();
		assertThat(VisitorRequestHead.hostsAgree(new DefaultHttp2Headers().add("host", "b.test"))).isTrue();
		assertThat(VisitorRequestHead.hostsAgree(new DefaultHttp2Headers().authority("user@a.test"))).isFalse();
	}

	private static HttpRequest request(HttpVersion version, String uri, String host) {
		HttpRequest request = new DefaultHttpRequest(version, HttpMethod.GET, uri);
		request.headers().set("Host", host);
		return request;
	}

	private static HttpRequest withCoding(HttpVersion version, String coding) {
		HttpRequest request = request(version, "/", "a.test");
		request.headers().set("Transfer-Encoding", coding);
		return request;
	}

	private static @Nullable Integer status(HttpRequest request) {
		VisitorRequestHead.Refusal refusal = VisitorRequestHead.accept(request);
		return (refusal != null) ? refusal.status().code() : null;
	}

}
