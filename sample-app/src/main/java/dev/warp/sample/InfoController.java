package dev.warp.sample;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reports what the application saw of a request, so that a visitor can check what the
 * edge added on the way in: the visitor's address, the scheme, host, port and path of the
 * request's URI, the forwarded headers and the ray id.
 */
@RestController
class InfoController {

	/**
	 * Headers that the edge adds to every tunneled request.
	 */
	static final List<String> FORWARDED_HEADERS = List.of("X-Forwarded-For", "X-Forwarded-Proto",
			"X-Forwarded-Host", "X-Forwarded-Port", "Warp-Connecting-IP", "Warp-Ray");

	private final SampleProperties properties;

	InfoController(SampleProperties properties) {
		this.properties = properties;
	}

	@GetMapping("/api/info")
	Info info(ServerHttpRequest request) {
		URI uri = request.getURI();
		return new Info(this.properties.getInstanceId(), remoteAddress(request), uri.getScheme(), uri.getHost(),
				port(uri), uri.getRawPath(), forwardedHeaders(request.getHeaders()));
	}

	/** The port of the request's URI: the one it names, else its scheme's default. */
	private static int port(URI uri) {
		if (uri.getPort() >= 0) {
			return uri.getPort();
		}
		return ("https".equals(uri.getScheme()) || "wss".equals(uri.getScheme())) ? 443 : 80;
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

	record Info(String instanceId, String remoteAddress, String scheme, String host, int port, String path,
			Map<String, String> headers) {
	}

}
