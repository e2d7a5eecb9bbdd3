package dev.warp.sample;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reports what the application saw of a request, so that a visitor can check what the
 * edge added on the way in: the visitor's address, the forwarded headers and the ray id.
 */
@RestController
class InfoController {

	/**
	 * Headers that the edge adds to every tunneled request.
	 */
	static final List<String> FORWARDED_HEADERS = List.of("X-Forwarded-For", "X-Forwarded-Proto",
			"X-Forwarded-Host", "Warp-Connecting-IP", "Warp-Ray");

	private final SampleProperties properties;

	InfoController(SampleProperties properties) {
		this.properties = properties;
	}

	@GetMapping("/api/info")
	Info info(ServerHttpRequest request) {
		return new Info(this.properties.getInstanceId(), remoteAddress(request), request.getURI().getScheme(),
				request.getURI().getHost(), forwardedHeaders(request.getHeaders()));
	}

	private static String remoteAddress(ServerHttpRequest request) {
		InetSocketAddress address = request.getRemoteAddress();
		if (address == null) {
			return null;
		}
		// Report the IP, not a host name: resolving it would block and could hide the
		// address that the tunnel is supposed to pass through.
		return (address.getAddress() != null) ? address.getAddress().getHostAddress() : address.getHostString();
	}

	private static Map<String, String> forwardedHeaders(HttpHeaders headers) {
		// Absent headers stay in the map with a null value so that their absence shows.
		Map<String, String> values = new LinkedHashMap<>();
		for (String name : FORWARDED_HEADERS) {
			values.put(name, headers.getFirst(name));
		}
		return values;
	}

	record Info(String instanceId, String remoteAddress, String scheme, String host, Map<String, String> headers) {
	}

}
