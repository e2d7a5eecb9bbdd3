package dev.warp.agent.management;

import java.util.List;

/**
 * The paths of an application's management endpoints, as the tunnel treats them. Each path
 * covers itself and everything below it, and is the full path a request names, base paths
 * included (e.g. {@code /app/actuator} with {@code spring.webflux.base-path=/app}).
 *
 * @param hidden paths answered {@code 404} through the tunnel, as if absent
 * @param readOnly paths answered {@code 403} through the tunnel for anything but {@code GET}
 * and {@code HEAD}
 */
public record ManagementEndpointPaths(List<String> hidden, List<String> readOnly) {

	public ManagementEndpointPaths {
		hidden = List.copyOf(hidden);
		readOnly = List.copyOf(readOnly);
	}

}
