package dev.warp.agent.management;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ManagementEndpointGuardTests {

	private final AtomicInteger served = new AtomicInteger();

	private final HttpHandler application = (request, response) -> {
		this.served.incrementAndGet();
		response.setStatusCode(HttpStatus.OK);
		return response.setComplete();
	};

	private final ManagementEndpointGuard guard = new ManagementEndpointGuard(this.application,
			new ManagementEndpointPaths(List.of("/actuator", "/livez"), List.of("/actuator/warp")));

	@ParameterizedTest
	@ValueSource(strings = { "/actuator", "/actuator/health", "/actuator/health/readiness", "/livez",
			"/actuator/warp/drain" })
	void aHiddenPathAndEverythingBelowItAre404WithNoBody(String path) {
		MockServerHttpResponse response = serve(HttpMethod.GET, path);
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(response.getBodyAsString().block()).isEmpty();
		assertThat(this.served).hasValue(0);
	}

	@ParameterizedTest
	@ValueSource(strings = { "//actuator/health", "/actuator//health", "/actuator/", "/actuator/health/",
			"/%61ctuator/health", "/actuator/%68ealth", "/actuator;x=1/health", "/actuator/health;x=1",
			"/actuator%3Bx/health", "/actuator%2Fhealth", "/ACTUATOR/health", "/Actuator", "/actuator/./health",
			"/actuator/../actuator/health", "/hello/../actuator/health", "/./actuator", "/%2e/actuator",
			"/hello/%2e%2e/actuator", "/actuator?x=1", "/LIVEZ/", "/%2Factuator", "/;x/actuator" })
	void everySpellingOfAHiddenPathIs404(String path) {
		assertThat(serve(HttpMethod.GET, path).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(this.served).hasValue(0);
	}

	@ParameterizedTest
	@ValueSource(strings = { "/", "/hello", "/actuatorx", "/actuator-docs", "/api/actuator", "/api/actuator/health",
			"/livezz", "/%2561ctuator" })
	void pathsOutsideTheHiddenOnesReachTheApplication(String path) {
		assertThat(serve(HttpMethod.GET, path).getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(this.served).hasValue(1);
	}

	@Test
	void everythingWebFluxWouldRouteBelowAHiddenPathIsRefused() {
		PathPattern webFlux = PathPatternParser.defaultInstance.parse("/actuator/{*rest}");
		List<String> segments = List.of("actuator", "%61ctuator", "actuator;x=1", "", ".", "..", "health", "%2e%2e",
				"warp", "ACTUATOR");
		List<String> paths = new ArrayList<>();
		for (String first : segments) {
			for (String second : segments) {
				for (String third : segments) {
					paths.add("/" + first + "/" + second + "/" + third);
				}
			}
		}
		int routed = 0;
		for (String path : paths) {
			MockServerHttpRequest request = request(HttpMethod.GET, path);
			if (webFlux.matches(request.getPath().pathWithinApplication())) {
				routed++;
				MockServerHttpResponse response = new MockServerHttpResponse();
				this.guard.handle(request, response).block();
				assertThat(response.getStatusCode()).as(path).isEqualTo(HttpStatus.NOT_FOUND);
			}
		}
		assertThat(routed).isGreaterThan(100);
		assertThat(this.served).hasValue(0);
	}

	@ParameterizedTest
	@ValueSource(strings = { "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "get" })
	void aReadOnlyPathRefusesEveryMethodButGetAndHead(String method) {
		ManagementEndpointGuard exposed = new ManagementEndpointGuard(this.application,
				new ManagementEndpointPaths(List.of(), List.of("/actuator/warp")));
		for (String path : List.of("/actuator/warp", "/actuator/warp/drain", "/actuator/warp/reconnect",
				"/%61ctuator/warp/drain", "/actuator;x=1/warp/drain/", "//actuator/WARP/%64rain")) {
			MockServerHttpResponse response = new MockServerHttpResponse();
			exposed.handle(request(HttpMethod.valueOf(method), path), response).block();
			assertThat(response.getStatusCode()).as(path).isEqualTo(HttpStatus.FORBIDDEN);
			assertThat(response.getBodyAsString().block()).contains("use the application's own port");
		}
		assertThat(this.served).hasValue(0);
	}

	@Test
	void aReadOnlyPathServesGetAndHeadAndOtherPathsEveryMethod() {
		ManagementEndpointGuard exposed = new ManagementEndpointGuard(this.application,
				new ManagementEndpointPaths(List.of(), List.of("/actuator/warp")));
		for (MockServerHttpRequest request : List.of(request(HttpMethod.GET, "/actuator/warp"),
				request(HttpMethod.HEAD, "/actuator/warp"), request(HttpMethod.POST, "/actuator/loggers/dev.warp"),
				request(HttpMethod.POST, "/echo"))) {
			MockServerHttpResponse response = new MockServerHttpResponse();
			exposed.handle(request, response).block();
			assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		}
		assertThat(this.served).hasValue(4);
	}

	@ParameterizedTest
	@ValueSource(strings = { "/", "", "//" })
	void aPathOfNoSegmentIsRefusedForItWouldHideEverything(String path) {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ManagementEndpointGuard(this.application,
					new ManagementEndpointPaths(List.of(path), List.of())))
			.withMessageContaining("would cover every path");
	}

	private MockServerHttpResponse serve(HttpMethod method, String path) {
		MockServerHttpResponse response = new MockServerHttpResponse();
		this.guard.handle(request(method, path), response).block();
		return response;
	}

	private static MockServerHttpRequest request(HttpMethod method, String path) {
		return MockServerHttpRequest.method(method, URI.create("http://localhost" + path)).build();
	}

}
