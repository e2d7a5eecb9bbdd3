package dev.warp.edge.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import io.netty.handler.codec.http.HttpHeaderNames;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The dashboard: one HTML page, its style and script inline, that polls {@code /status} and shows
 * the node's hostnames, replicas and connections. There is no build step and nothing external:
 * the page is served with a Content-Security-Policy that allows its own style and script only,
 * by their SHA-256 (computed here, so an edit of the page needs no edit of the policy), and
 * {@code fetch} of its own origin only.
 */
final class DashboardPage {

	private static final String RESOURCE = "dashboard.html";

	private final byte[] html;

	private final String contentSecurityPolicy;

	private DashboardPage(byte[] html, String contentSecurityPolicy) {
		this.html = html;
		this.contentSecurityPolicy = contentSecurityPolicy;
	}

	/** The page of this jar. */
	static DashboardPage load() {
		try (InputStream in = DashboardPage.class.getResourceAsStream(RESOURCE)) {
			if (in == null) {
				throw new IllegalStateException("No " + RESOURCE + " beside " + DashboardPage.class.getName());
			}
			byte[] html = in.readAllBytes();
			return new DashboardPage(html, contentSecurityPolicy(new String(html, StandardCharsets.UTF_8)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** A policy that lets the page run its one inline style and one inline script, and nothing else. */
	static String contentSecurityPolicy(String html) {
		return "default-src 'none'; style-src " + hash(inline(html, "style")) + "; script-src "
				+ hash(inline(html, "script")) + "; connect-src 'self'; base-uri 'none'; form-action 'none'; "
				+ "frame-ancestors 'none'";
	}

	Publisher<Void> serve(HttpServerResponse response) {
		return response.header(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
			.header(HttpHeaderNames.CACHE_CONTROL, "no-store")
			.header("Content-Security-Policy", this.contentSecurityPolicy)
			.header("X-Content-Type-Options", "nosniff")
			.header("Referrer-Policy", "no-referrer")
			.sendByteArray(Mono.just(this.html));
	}

	/** The text of the page's one {@code <tag>} element, as the browser hashes it. */
	private static String inline(String html, String tag) {
		String open = "<" + tag + ">";
		int start = html.indexOf(open);
		int end = html.indexOf("</" + tag + ">", start);
		if (start < 0 || end < 0 || html.indexOf(open, end) >= 0) {
			throw new IllegalStateException(RESOURCE + " must hold exactly one <" + tag + "> element");
		}
		return html.substring(start + open.length(), end);
	}

	private static String hash(String text) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
			return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every Java platform has SHA-256", ex);
		}
	}

}
