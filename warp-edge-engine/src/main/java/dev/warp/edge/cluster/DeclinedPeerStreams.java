package dev.warp.edge.cluster;

import dev.warp.edge.exchange.EdgeErrors;
import dev.warp.edge.exchange.RayIds;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The end of a peer connection's HTTP/2 pipeline, behind the forwarder that takes the requests
 * another node forwards: a stream it passes on (an extended {@code CONNECT}, which the forwarding
 * node never sends: WebSockets are not forwarded between nodes) is answered {@code 400} with its
 * ray id, and the rest of its request refused. Whatever else reaches here is dropped.
 */
final class DeclinedPeerStreams extends ChannelInboundHandlerAdapter {

	static final String NAME = "warp.declinedPeerStreams";

	private final String nodeId;

	DeclinedPeerStreams(String nodeId) {
		this.nodeId = nodeId;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof Http2HeadersFrame request && request.stream() != null
				&& request.stream().state().localSideOpen()) {
			refuse(ctx, request);
		}
		ReferenceCountUtil.release(msg);
	}

	private void refuse(ChannelHandlerContext ctx, Http2HeadersFrame request) {
		Http2FrameStream stream = request.stream();
		String ray = RayIds.forwarded(request.headers().get(EdgeErrors.RAY_HEADER_LOWER), this.nodeId);
		byte[] body = EdgeErrors.bodyBytes("Bad request from another edge node", ray);
		ctx.write(new DefaultHttp2HeadersFrame(EdgeErrors.http2Headers(HttpResponseStatus.BAD_REQUEST, body.length, ray))
			.stream(stream));
		ctx.write(new DefaultHttp2DataFrame(ctx.alloc().buffer(body.length).writeBytes(body), true).stream(stream));
		if (!request.isEndStream()) {
			// Answered whole: the request's body is not wanted (RFC 9113 8.1).
			ctx.write(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR).stream(stream));
		}
		ctx.flush();
	}

}
