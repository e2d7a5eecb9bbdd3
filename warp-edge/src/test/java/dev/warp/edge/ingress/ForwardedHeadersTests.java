package dev.warp.edge.ingress;

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

}
