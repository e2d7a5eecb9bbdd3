package dev.warp.edge.exchange;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RequestBodies}.
 */
class RequestBodiesTests {

	private final HttpHeaders headers = new DefaultHttpHeaders();

	@Test
	void aRequestWithoutLengthOrChunksHasNoBody() {
		assertThat(RequestBodies.hasBody(this.headers)).isFalse();
		assertThat(RequestBodies.declaredLength(this.headers)).isEqualTo(RequestBodies.UNKNOWN_LENGTH);
	}

	@Test
	void aDeclaredLengthOfZeroIsNoBody() {
		this.headers.set("content-length", "0");
		assertThat(RequestBodies.hasBody(this.headers)).isFalse();
		assertThat(RequestBodies.declaredLength(this.headers)).isZero();
	}

	@Test
	void aDeclaredLengthAboveZeroIsABodyOfThatLength() {
		this.headers.set("content-length", "3");
		assertThat(RequestBodies.hasBody(this.headers)).isTrue();
		assertThat(RequestBodies.declaredLength(this.headers)).isEqualTo(3);
	}

	@Test
	void aChunkedRequestHasABodyOfUnknownLength() {
		this.headers.set("transfer-encoding", "chunked");
		assertThat(RequestBodies.hasBody(this.headers)).isTrue();
		assertThat(RequestBodies.declaredLength(this.headers)).isEqualTo(RequestBodies.UNKNOWN_LENGTH);
	}

	@Test
	void anUnreadableOrNegativeLengthCountsAsABodyOfUnknownLength() {
		for (String length : new String[] { "three", "-5", "99999999999999999999" }) {
			this.headers.set("content-length", length);
			assertThat(RequestBodies.hasBody(this.headers)).as(length).isTrue();
			assertThat(RequestBodies.declaredLength(this.headers)).as(length).isEqualTo(RequestBodies.UNKNOWN_LENGTH);
		}
	}

}
