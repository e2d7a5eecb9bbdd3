package dev.warp.agent.management;

import java.nio.charset.StandardCharsets;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;

/**
 * The application's {@link HttpHandler} as the tunnel serves it: every request goes to the
 * application except those for its management endpoints.
 * <ul>
 * <li>a path {@link ManagementEndpointPaths#hidden() hidden} from the tunnel is answered
 * {@code 404} with no body, as if there were nothing there;</li>
 * <li>a {@link ManagementEndpointPaths#readOnly() read-only} path is answered {@code 403} for
 * any method but {@code GET} and {@code HEAD}.</li>
 * </ul>
 * Paths are matched as {@link PathPrefix} says, so that no spelling of a path that WebFlux would
 * route to an endpoint slips past. Only what the tunnel serves is guarded: give the tunnel this
 * handler and the application's own server the application's.
 */
public final class ManagementEndpointGuard implements HttpHandler {

	private static final byte[] READ_ONLY_MESSAGE = ("Only GET and HEAD of this management endpoint are served "
			+ "through the tunnel; use the application's own port for its write operations.\n")
		.getBytes(StandardCharsets.UTF_8);

	private final HttpHandler application;

	private final List<PathPrefix> hidden;

	private final List<PathPrefix> readOnly;

	/**
	 * @param application the handler of every request that is not refused
	 * @param paths the management endpoints' paths
	 * @throws IllegalArgumentException for a path of no segments ({@code /}), which would cover
	 * the whole application
	 */
	public ManagementEndpointGuard(HttpHandler application, ManagementEndpointPaths paths) {
		this.application = application;
		this.hidden = paths.hidden().stream().map(PathPrefix::of).toList();
		this.readOnly = paths.readOnly().stream().map(PathPrefix::of).toList();
	}

	@Override
	public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
		if (matchesAny(this.hidden, request)) {
			response.setStatusCode(HttpStatus.NOT_FOUND);
			return response.setComplete();
		}
		if (!isRead(request.getMethod()) && matchesAny(this.readOnly, request)) {
			response.setStatusCode(HttpStatus.FORBIDDEN);
			response.getHeaders().setContentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8));
			response.getHeaders().setContentLength(READ_ONLY_MESSAGE.length);
			return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(READ_ONLY_MESSAGE)));
		}
		return this.application.handle(request, response);
	}

	private static boolean isRead(HttpMethod method) {
		return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
	}

	private static boolean matchesAny(List<PathPrefix> prefixes, ServerHttpRequest request) {
		for (PathPrefix prefix : prefixes) {
			if (prefix.matches(request.getPath())) {
				return true;
			}
		}
		return false;
	}

	@Override
	public String toString() {
		return "ManagementEndpointGuard[hidden " + this.hidden + ", read-only " + this.readOnly + "]";
	}

}
