package dev.warp.autoconfigure.tunnel;

import dev.warp.agent.management.ManagementEndpointGuard;
import dev.warp.agent.management.ManagementEndpointPaths;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;

/**
 * The application's {@link HttpHandler} as the tunnel serves it, looked up when the first
 * request arrives rather than when the tunnel is created. Building the handler builds WebFlux's
 * {@code DispatcherHandler}, which takes the handler mappings that exist at that moment; beans
 * that need the tunnel (its health indicator, its meter binder, its endpoint) may well be
 * created before the actuator's mappings are. The management endpoints' paths, when the
 * application has Actuator, are looked up then too, and guarded
 * ({@link ManagementEndpointGuard}).
 */
final class DeferredHttpHandler implements HttpHandler {

	private final ObjectProvider<HttpHandler> provider;

	private final ObjectProvider<ManagementEndpointPaths> managementPaths;

	private volatile @Nullable HttpHandler delegate;

	DeferredHttpHandler(ObjectProvider<HttpHandler> provider, ObjectProvider<ManagementEndpointPaths> managementPaths) {
		this.provider = provider;
		this.managementPaths = managementPaths;
	}

	@Override
	public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
		HttpHandler handler = this.delegate;
		if (handler == null) {
			handler = this.provider.getObject();
			ManagementEndpointPaths paths = this.managementPaths.getIfAvailable();
			if (paths != null) {
				handler = new ManagementEndpointGuard(handler, paths);
			}
			this.delegate = handler;
		}
		return handler.handle(request, response);
	}

}
