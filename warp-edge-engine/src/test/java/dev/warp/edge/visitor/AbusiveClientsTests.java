package dev.warp.edge.visitor;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AbusiveClients}: an abusive address is refused for a while, longer for each repeat, up
 * to a cap; forgotten after a quiet period; and the map of addresses stays bounded.
 */
class AbusiveClientsTests {

	private static final Duration FIRST = Duration.ofSeconds(10);

	private static final Duration MAX = Duration.ofSeconds(60);

	private static final InetSocketAddress ATTACKER = new InetSocketAddress("127.0.0.1", 40000);

	private final AtomicLong now = new AtomicLong();

	private final AbusiveClients clients = new AbusiveClients(FIRST, MAX, this.now::get, 4);

	@Test
	void anAbusiveAddressIsRefusedForThePenaltyAndOthersAreNot() {
		assertThat(this.clients.abused(ATTACKER)).isEqualTo(FIRST);
		assertThat(this.clients.isRefused(new InetSocketAddress("127.0.0.1", 40001))).isTrue();
		assertThat(this.clients.isRefused(new InetSocketAddress("127.0.0.2", 40000))).isFalse();
		advance(FIRST.minusMillis(1));
		assertThat(this.clients.isRefused(ATTACKER)).isTrue();
		advance(Duration.ofMillis(1));
		assertThat(this.clients.isRefused(ATTACKER)).isFalse();
	}

	@Test
	void eachRepeatDoublesThePenaltyUpToTheMax() {
		Duration expected = FIRST;
		for (int i = 0; i < 5; i++) {
			assertThat(this.clients.abused(ATTACKER)).isEqualTo(expected);
			advance(expected);
			expected = (expected.multipliedBy(2).compareTo(MAX) < 0) ? expected.multipliedBy(2) : MAX;
		}
		assertThat(this.clients.abused(ATTACKER)).isEqualTo(MAX);
	}

	@Test
	void connectionsClosedDuringARefusalDoNotLengthenIt() {
		assertThat(this.clients.abused(ATTACKER)).isEqualTo(FIRST);
		advance(Duration.ofSeconds(1));
		assertThat(this.clients.abused(ATTACKER)).isEqualTo(FIRST.minusSeconds(1));
	}

	@Test
	void anAddressQuietForTheMaxAfterItsRefusalIsForgotten() {
		this.clients.abused(ATTACKER);
		advance(FIRST.plus(MAX));
		assertThat(this.clients.isRefused(ATTACKER)).isFalse();
		assertThat(this.clients.clients()).isZero();
		assertThat(this.clients.abused(ATTACKER)).as("a first offence again").isEqualTo(FIRST);
	}

	@Test
	void theMapOfAddressesIsBounded() {
		for (int i = 1; i <= 10; i++) {
			this.clients.abused(new InetSocketAddress("127.0.1." + i, 1));
		}
		assertThat(this.clients.clients()).isEqualTo(4);
		// Once their refusals ended, older addresses make room for new ones.
		advance(FIRST.plusSeconds(1));
		assertThat(this.clients.abused(new InetSocketAddress("127.0.2.1", 1))).isEqualTo(FIRST);
		assertThat(this.clients.isRefused(new InetSocketAddress("127.0.2.1", 1))).isTrue();
		assertThat(this.clients.clients()).isLessThanOrEqualTo(4);
	}

	private void advance(Duration duration) {
		this.now.addAndGet(duration.toNanos());
	}

}
