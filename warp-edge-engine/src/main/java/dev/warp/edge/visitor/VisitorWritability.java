package dev.warp.edge.visitor;

import dev.warp.edge.tunnel.TunnelResponse;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.jspecify.annotations.Nullable;

/**
 * Tells the response under way on a visitor's channel when the channel becomes writable again,
 * so that it resumes reading its tunnel stream ({@link TunnelResponse#pacedBy}). One per channel,
 * first in its pipeline; it follows the channel's responses one after another (HTTP/1.1
 * keep-alive).
 */
public final class VisitorWritability extends ChannelInboundHandlerAdapter {

	static final String NAME = "warp.visitorWritability";

	private volatile @Nullable TunnelResponse response;

	/** Makes {@code response} the one that hears of {@code visitor} becoming writable. */
	static void resumes(Channel visitor, TunnelResponse response) {
		VisitorWritability handler = (VisitorWritability) visitor.pipeline().get(NAME);
		if (handler == null) {
			handler = new VisitorWritability();
			try {
				visitor.pipeline().addFirst(NAME, handler);
			}
			catch (IllegalArgumentException ex) {
				// Added by another thread in between.
				handler = (VisitorWritability) visitor.pipeline().get(NAME);
			}
		}
		if (handler != null) {
			handler.response = response;
		}
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		TunnelResponse current = this.response;
		if (current != null && ctx.channel().isWritable()) {
			current.visitorWritable();
		}
		ctx.fireChannelWritabilityChanged();
	}

}
