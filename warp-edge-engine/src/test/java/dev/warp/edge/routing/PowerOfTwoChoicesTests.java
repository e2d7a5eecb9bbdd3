package dev.warp.edge.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PowerOfTwoChoices} and the cost {@link HostnamePool} gives a connection.
 */
class PowerOfTwoChoicesTests {

	private final SplittableRandom random = new SplittableRandom(42);

	@Test
	void nothingToChooseFrom() {
		assertThat(PowerOfTwoChoices.choose(List.<Candidate>of(), Candidate::cost, 0, this.random)).isNull();
	}

	@Test
	void aSingleCandidateIsChosenWhateverItCosts() {
		Candidate only = new Candidate("only", 1000);
		assertThat(PowerOfTwoChoices.choose(List.of(only), Candidate::cost, 7, this.random)).isSameAs(only);
	}

	@Test
	void candidatesOfEqualCostTakeTurns() {
		List<Candidate> candidates = List.of(new Candidate("a", 1), new Candidate("b", 1), new Candidate("c", 1));
		List<String> chosen = new ArrayList<>();
		for (int turn = 0; turn < 6; turn++) {
			chosen.add(PowerOfTwoChoices.choose(candidates, Candidate::cost, turn, this.random).name());
		}
		assertThat(chosen).containsExactly("a", "b", "c", "a", "b", "c");
	}

	@Test
	void ofTwoTheCheaperIsChosen() {
		Candidate cheap = new Candidate("cheap", 1);
		Candidate costly = new Candidate("costly", 2);
		for (int turn = 0; turn < 20; turn++) {
			assertThat(PowerOfTwoChoices.choose(List.of(cheap, costly), Candidate::cost, turn, this.random))
				.isSameAs(cheap);
		}
	}

	@Test
	void theMostCostlyOfManyIsNeverChosenAndTheOthersShare() {
		List<Candidate> candidates = List.of(new Candidate("a", 1), new Candidate("b", 1), new Candidate("c", 1),
				new Candidate("slow", 50));
		Map<String, Integer> counts = new HashMap<>();
		for (int turn = 0; turn < 4000; turn++) {
			counts.merge(PowerOfTwoChoices.choose(candidates, Candidate::cost, turn, this.random).name(), 1,
					Integer::sum);
		}
		assertThat(counts).doesNotContainKey("slow");
		assertThat(counts.values()).allSatisfy((count) -> assertThat(count).isBetween(1100, 1600));
	}

	@Test
	void costGrowsWithRequestsInFlight() {
		assertThat(HostnamePool.cost(3, -1, 0)).isEqualTo(4 * HostnamePool.cost(0, -1, 0));
	}

	@Test
	void roundTripsBelowTheFloorCountAsEqual() {
		assertThat(HostnamePool.cost(0, 50_000, 0)).isEqualTo(HostnamePool.cost(0, -1, 0))
			.isEqualTo(HostnamePool.cost(0, HostnamePool.RTT_FLOOR_NANOS, 0));
	}

	@Test
	void aFarConnectionCostsMoreThanANearOneWithTheSameLoad() {
		assertThat(HostnamePool.cost(1, 80_000_000, 0)).isEqualTo(80 * HostnamePool.cost(1, 1_000_000, 0));
		// Far but idle is still cheaper than near with many requests waiting.
		assertThat(HostnamePool.cost(0, 20_000_000, 0)).isLessThan(HostnamePool.cost(30, 1_000_000, 0));
	}

	@Test
	void failingConnectionCostsMore() {
		double healthy = HostnamePool.cost(0, -1, 0);
		assertThat(HostnamePool.cost(0, -1, 0.5)).isEqualTo(6 * healthy);
		assertThat(HostnamePool.cost(0, -1, 1)).isEqualTo(11 * healthy);
	}

	record Candidate(String name, double cost) {
	}

}
