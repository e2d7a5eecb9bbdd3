package dev.warp.autoconfigure.tunnel;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;

/**
 * The application's {@link HttpHandler}, looked up when the first request arrives rather than
 * when the tunnel is created. Building the handler builds WebFlux's {@code DispatcherHandler},
 * which takes the handler mappings that exist at that moment; beans that need the tunnel (its
 * health indicator, its meter binder) may well be created before the actuator's mappings are.
 */
final class DeferredHttpHandler implements HttpHandler {

	private final ObjectProvider<HttpHandler> provider;

	private volatile @Nullable HttpHandler delegate;

	DeferredHttpHandler(ObjectProvider<HttpHandler> provider) {
		this.provider = provider;
	}

	@Override
	public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
		HttpHandler handler = this.delegate;
		if (handler == null) {
			handler = this.provider.getObject();
			this.delegate = handler;
		}
		return handler.handle(request, response);
	}

}
