package dev.warp.edge.routing;

import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;

/**
 * The power of two choices: of two candidates, the one that costs less. Nearly as good as
 * always taking the cheapest of all, without looking at all, and without every balancer sending
 * its requests to the same cheapest one at once.
 */
final class PowerOfTwoChoices {

	private PowerOfTwoChoices() {
	}

	/**
	 * Chooses between two candidates: the one at {@code turn} (modulo the number of candidates)
	 * and another one at random. On equal cost the first wins, so that candidates of equal cost
	 * take turns.
	 * @param candidates what to choose from
	 * @param cost the cost of a candidate; lower is better
	 * @param turn a number that increases with every choice
	 * @param random picks the second candidate
	 * @return the chosen candidate, or {@code null} when there is none
	 */
	static <T> @Nullable T choose(List<T> candidates, ToDoubleFunction<T> cost, int turn, RandomGenerator random) {
		int size = candidates.size();
		if (size == 0) {
			return null;
		}
		int first = Math.floorMod(turn, size);
		if (size == 1) {
			return candidates.get(first);
		}
		int second = random.nextInt(size - 1);
		if (second >= first) {
			second++;
		}
		T a = candidates.get(first);
		T b = candidates.get(second);
		return (cost.applyAsDouble(b) < cost.applyAsDouble(a)) ? b : a;
	}

}
