package dev.warp.edge.acme;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * The answers to ACME HTTP-01 challenges (RFC 8555 section 8.3): while an order is validated,
 * {@code GET /.well-known/acme-challenge/<token>} on the cleartext listener is answered by the
 * edge itself with the token's key authorization, never forwarded to an app. Any path under that
 * prefix is the edge's: an unknown token gets a {@code 404}. In a cluster, a token another node
 * published is found in the cluster's share, without blocking the event loop.
 */
public final class AcmeHttpChallenges {

	/** Answers nothing: an edge without ACME forwards every request. */
	public static final AcmeHttpChallenges NONE = new AcmeHttpChallenges(false, CertificateShare.NONE, Duration.ZERO);

	static final String PREFIX = "/.well-known/acme-challenge/";

	private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,256}");

	private final boolean enabled;

	private final CertificateShare share;

	private final Duration ttl;

	private final Map<String, String> keyAuthorizations = new ConcurrentHashMap<>();

	private AcmeHttpChallenges(boolean enabled, CertificateShare share, Duration ttl) {
		this.enabled = enabled;
		this.share = share;
		this.ttl = ttl;
	}

	/**
	 * Challenges that orders publish to.
	 * @param share where the other nodes of a cluster find them
	 * @param ttl how long a shared answer lasts at most
	 */
	static AcmeHttpChallenges create(CertificateShare share, Duration ttl) {
		return new AcmeHttpChallenges(true, share, ttl);
	}

	/** Publishes a token's answer (blocking: on the ACME executor). */
	void publish(String token, String keyAuthorization) {
		this.keyAuthorizations.put(token, keyAuthorization);
		this.share.publishChallenge(key(token), keyAuthorization, this.ttl);
	}

	void withdraw(String token) {
		this.keyAuthorizations.remove(token);
		this.share.withdrawChallenge(key(token));
	}

	private static String key(String token) {
		return "http-01:" + token;
	}

	/**
	 * Answers the request if it asks for a challenge, and closes the connection after the answer
	 * (the CA's validator makes one request a connection).
	 * @return whether the request was answered here and released: the caller reads nothing more
	 * of the connection
	 */
	public boolean answer(ChannelHandlerContext ctx, HttpRequest request) {
		if (!this.enabled || !isChallenge(request)) {
			return false;
		}
		String path = request.uri();
		int query = path.indexOf('?');
		String token = path.substring(PREFIX.length(), (query >= 0) ? query : path.length());
		boolean head = request.method() == HttpMethod.HEAD;
		ReferenceCountUtil.release(request);
		String keyAuthorization = this.keyAuthorizations.get(token);
		if (keyAuthorization != null || !TOKEN.matcher(token).matches()) {
			respond(ctx, head, keyAuthorization);
		}
		else {
			this.share.challenge(key(token))
				.whenComplete((shared, ex) -> ctx.executor().execute(() -> respond(ctx, head, shared)));
		}
		return true;
	}

	private static void respond(ChannelHandlerContext ctx, boolean head, @Nullable String keyAuthorization) {
		HttpResponseStatus status = (keyAuthorization != null) ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND;
		byte[] body = ((keyAuthorization != null) ? keyAuthorization : "No such ACME challenge\n")
			.getBytes(StandardCharsets.US_ASCII);
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
				head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
		response.headers()
			.set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
			.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
			.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
	}

	private static boolean isChallenge(HttpRequest request) {
		return (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD)
				&& request.uri().startsWith(PREFIX) && request.decoderResult().isSuccess();
	}

}
