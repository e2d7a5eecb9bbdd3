package dev.warp.edge.tunnel;

import java.nio.charset.StandardCharsets;

import dev.warp.core.protocol.ControlMessage;
import dev.warp.core.protocol.TunnelProtocol;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * The control stream of one tunnel connection, opened by the edge right after the HTTP/2
 * preface. The edge's request body stays open for the connection's life (edge-to-agent messages
 * go there); the agent answers {@code 200} and a body of {@link ControlMessage} lines, the first of
 * which registers its hostname.
 */
final class ControlStream extends ChannelInboundHandlerAdapter {

	private final TunnelConnection connection;

	private final String nodeId;

	private final ControlLineReader lines = new ControlLineReader();

	private volatile @Nullable Channel channel;

	private boolean answered;

	private boolean ended;

	private @Nullable String resetReason;

	ControlStream(TunnelConnection connection, String nodeId) {
		this.connection = connection;
		this.nodeId = nodeId;
	}

	/** Sends a message to the agent; {@code false} when the stream is not open. */
	/**
	 * Sends a last message: completes once it is written (at once, when the stream is gone), after
	 * which the connection may close without losing it.
	 */
	ChannelFuture sendLast(ControlMessage message, Channel connection) {
		Channel stream = this.channel;
		if (stream == null || !stream.isActive()) {
			return connection.newSucceededFuture();
		}
		return stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(message.encode(), StandardCharsets.UTF_8)));
	}

	boolean send(ControlMessage message) {
		Channel stream = this.channel;
		if (stream == null || !stream.isActive()) {
			return false;
		}
		stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(message.encode(), StandardCharsets.UTF_8)));
		return true;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		this.channel = ctx.channel();
		Http2Headers headers = new DefaultHttp2Headers().method("POST")
			.path(TunnelProtocol.CONTROL_PATH)
			.scheme("https")
			.authority("warp")
			.add(TunnelProtocol.CONTROL_HEADER, String.valueOf(TunnelProtocol.VERSION))
			.add(TunnelProtocol.EDGE_NODE_HEADER, this.nodeId);
		// No END_STREAM: the request body is the edge-to-agent half of the control stream.
		ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false)).addListener((future) -> {
			if (!future.isSuccess()) {
				this.connection.closeWithReason("cannot send the control stream's headers: " + future.cause());
			}
		});
		ctx.fireChannelActive();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		try {
			if (msg instanceof Http2HeadersFrame headers) {
				onHeaders(headers);
			}
			else if (msg instanceof Http2DataFrame data) {
				onData(data);
			}
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	private void onHeaders(Http2HeadersFrame frame) {
		if (!this.answered) {
			CharSequence status = frame.headers().status();
			if (status != null && status.length() == 3 && status.charAt(0) == '1') {
				return;
			}
			if (status == null || !HttpResponseStatus.OK.codeAsText().contentEquals(status)) {
				this.connection.closeWithReason("the agent answered the control stream with status " + status
						+ " instead of 200; is it a Warp agent speaking protocol version " + TunnelProtocol.VERSION + "?");
				return;
			}
			this.answered = true;
		}
		if (frame.isEndStream()) {
			end("ended by the agent");
		}
	}

	private void onData(Http2DataFrame frame) {
		if (!this.answered || this.ended) {
			return;
		}
		try {
			for (String line : this.lines.read(frame.content())) {
				if (!line.isBlank()) {
					this.connection.controlMessage(ControlMessage.parse(line));
				}
			}
		}
		catch (IllegalArgumentException ex) {
			this.connection.closeWithReason("bad control message from the agent: " + ex.getMessage());
			return;
		}
		if (frame.isEndStream()) {
			end("ended by the agent");
		}
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
		if (evt instanceof Http2ResetFrame reset) {
			this.resetReason = "reset by the agent (" + StreamErrors.name(reset.errorCode()) + ")";
		}
		ctx.fireUserEventTriggered(evt);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		end((this.resetReason != null) ? this.resetReason : "closed");
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		this.connection.closeWithReason("control stream failed: " + cause);
	}

	private void end(String why) {
		if (!this.ended) {
			this.ended = true;
			this.connection.controlStreamEnded(why);
		}
	}

}
