package dev.warp.agent.internal.retry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTests {

	@Test
	void ceilingDoublesFromTheInitialDelayUpToTheMaximum() {
		Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
		assertThat(backoff.ceilingNanos(0)).isEqualTo(Duration.ofMillis(100).toNanos());
		assertThat(backoff.ceilingNanos(1)).isEqualTo(Duration.ofMillis(200).toNanos());
		assertThat(backoff.ceilingNanos(3)).isEqualTo(Duration.ofMillis(800).toNanos());
		assertThat(backoff.ceilingNanos(4)).isEqualTo(Duration.ofSeconds(1).toNanos());
		assertThat(backoff.ceilingNanos(60)).isEqualTo(Duration.ofSeconds(1).toNanos());
	}

	@Test
	void everyDelayLiesBetweenZeroAndTheCeilingOfItsFailureCount() {
		Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
		for (int failure = 0; failure < 40; failure++) {
			long ceiling = backoff.ceilingNanos(failure);
			assertThat(backoff.nextDelay().toNanos()).isBetween(0L, ceiling);
		}
		assertThat(backoff.failures()).isEqualTo(40);
	}

	@Test
	void resetStartsAgainFromTheInitialDelay() {
		Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30));
		for (int i = 0; i < 10; i++) {
			backoff.nextDelay();
		}
		backoff.reset();
		assertThat(backoff.failures()).isZero();
		assertThat(backoff.nextDelay()).isLessThanOrEqualTo(Duration.ofMillis(100));
	}

	@Test
	void hundredAgentsThatLoseAnEdgeTogetherSpreadTheirRetries() {
		List<Duration> firstRetries = new ArrayList<>();
		for (int agent = 0; agent < 100; agent++) {
			firstRetries.add(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)).nextDelay());
		}
		int[] perTenthOfASecond = new int[10];
		for (Duration delay : firstRetries) {
			perTenthOfASecond[(int) Math.min(9, delay.toMillis() / 100)]++;
		}
		// Uniform over a second: about 10 per tenth; a storm would put them all in one.
		for (int count : perTenthOfASecond) {
			assertThat(count).isLessThan(30);
		}
		assertThat(firstRetries).allSatisfy((delay) -> assertThat(delay).isLessThanOrEqualTo(Duration.ofSeconds(1)));
	}

}
