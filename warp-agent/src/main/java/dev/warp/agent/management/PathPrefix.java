package dev.warp.agent.management;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.springframework.http.server.RequestPath;
import org.springframework.http.server.PathContainer;

/**
 * A path and everything below it, matched segment by segment the way WebFlux resolves a request
 * path, and beyond: whatever WebFlux would route under the prefix matches, whichever spelling a
 * visitor chose.
 * <ul>
 * <li>segments are compared decoded ({@code %61ctuator}) and without matrix parameters
 * ({@code actuator;x=1}), as WebFlux's own {@link PathContainer} gives them to its handler
 * mappings; a {@code /} or {@code ;} that was encoded ({@code %2F}, {@code %3B}) splits or
 * ends a segment here as well;</li>
 * <li>empty segments do not count ({@code //actuator}, a trailing {@code /});</li>
 * <li>case does not count ({@code /ACTUATOR});</li>
 * <li>the path matches when it does with its dot segments resolved as well as when it does as
 * written ({@code /x/../actuator}, {@code /actuator/../actuator}).</li>
 * </ul>
 * A few paths WebFlux would not route to the endpoints are refused too: refusing is the safe
 * side.
 */
final class PathPrefix {

	private final String path;

	private final List<String> segments;

	private PathPrefix(String path, List<String> segments) {
		this.path = path;
		this.segments = segments;
	}

	/**
	 * @param path a path such as {@code /actuator} or {@code /app/manage/warp}
	 * @throws IllegalArgumentException for a path of no segments, which would cover every path
	 */
	static PathPrefix of(String path) {
		List<String> segments = new ArrayList<>();
		for (String segment : path.split("/")) {
			if (!segment.isEmpty()) {
				segments.add(segment.toLowerCase(Locale.ROOT));
			}
		}
		if (segments.isEmpty()) {
			throw new IllegalArgumentException("'" + path + "' has no segment: it would cover every path");
		}
		return new PathPrefix(path, List.copyOf(segments));
	}

	/** Whether the request's path is this one or below it. */
	boolean matches(RequestPath requestPath) {
		List<String> written = segments(requestPath);
		return startsWithThis(written) || startsWithThis(resolveDots(written));
	}

	private boolean startsWithThis(List<String> path) {
		return path.size() >= this.segments.size() && path.subList(0, this.segments.size()).equals(this.segments);
	}

	private static List<String> segments(RequestPath requestPath) {
		List<String> segments = new ArrayList<>();
		for (PathContainer.Element element : requestPath.elements()) {
			if (element instanceof PathContainer.PathSegment segment) {
				for (String piece : segment.valueToMatch().split("/")) {
					int parameters = piece.indexOf(';');
					String value = (parameters >= 0) ? piece.substring(0, parameters) : piece;
					if (!value.isEmpty()) {
						segments.add(value.toLowerCase(Locale.ROOT));
					}
				}
			}
		}
		return segments;
	}

	private static List<String> resolveDots(List<String> segments) {
		List<String> resolved = new ArrayList<>();
		for (String segment : segments) {
			if (segment.equals("..")) {
				if (!resolved.isEmpty()) {
					resolved.remove(resolved.size() - 1);
				}
			}
			else if (!segment.equals(".")) {
				resolved.add(segment);
			}
		}
		return resolved;
	}

	@Override
	public String toString() {
		return this.path;
	}

}
