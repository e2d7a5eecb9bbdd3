package dev.warp.edge.acme;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

/**
 * The answers to ACME HTTP-01 challenges (RFC 8555 section 8.3): while an order is validated,
 * {@code GET /.well-known/acme-challenge/<token>} on the cleartext listener is answered by the
 * edge itself with the token's key authorization, never forwarded to an app. Any path under that
 * prefix is the edge's: an unknown token gets a {@code 404}.
 */
public final class AcmeHttpChallenges {

	/** Answers nothing: an edge without ACME forwards every request. */
	public static final AcmeHttpChallenges NONE = new AcmeHttpChallenges(false);

	static final String PREFIX = "/.well-known/acme-challenge/";

	private final boolean enabled;

	private final Map<String, String> keyAuthorizations = new ConcurrentHashMap<>();

	private AcmeHttpChallenges(boolean enabled) {
		this.enabled = enabled;
	}

	/** Challenges that orders publish to. */
	static AcmeHttpChallenges create() {
		return new AcmeHttpChallenges(true);
	}

	void publish(String token, String keyAuthorization) {
		this.keyAuthorizations.put(token, keyAuthorization);
	}

	void withdraw(String token) {
		this.keyAuthorizations.remove(token);
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
		String keyAuthorization = this.keyAuthorizations.get(token);
		HttpResponseStatus status = (keyAuthorization != null) ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND;
		byte[] body = ((keyAuthorization != null) ? keyAuthorization : "No such ACME challenge\n")
			.getBytes(StandardCharsets.US_ASCII);
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
				(request.method() == HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
		response.headers()
			.set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
			.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
			.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		ReferenceCountUtil.release(request);
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
		return true;
	}

	private static boolean isChallenge(HttpRequest request) {
		return (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD)
				&& request.uri().startsWith(PREFIX) && request.decoderResult().isSuccess();
	}

}
