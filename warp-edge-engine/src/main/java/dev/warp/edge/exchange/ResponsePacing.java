package dev.warp.edge.exchange;

import io.netty.buffer.ByteBuf;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A streamed response's body on its way to the visitor, at the visitor's pace: buffers are asked
 * of the tunnel stream only while the visitor takes them. Made once the head went out and the
 * body did not come with it. Its signals come on the tunnel stream's loop and hop to the
 * visitor's.
 */
final class ResponsePacing implements Subscriber<ByteBuf> {

	/** Body buffers asked of the tunnel stream ahead of the visitor's writes. */
	private static final int PREFETCH = 8;

	private final Exchange exchange;

	private final Visitor visitor;

	/** Whether the body is read and dropped: a response that has none (a {@code HEAD}, a {@code 204}, a {@code 304}). */
	private final boolean discard;

	private Subscription subscription;

	/** Body buffers the visitor was too busy to ask for yet. */
	private int owed;

	ResponsePacing(Exchange exchange, Visitor visitor, boolean discard) {
		this.exchange = exchange;
		this.visitor = visitor;
		this.discard = discard;
	}

	@Override
	public void onSubscribe(Subscription subscription) {
		this.exchange.onLoop(() -> {
			if (this.exchange.isEnded()) {
				subscription.cancel();
				return;
			}
			this.subscription = subscription;
			// Nothing asked for a visitor whose window is shut: it would wait in front of the visitor.
			this.owed = PREFETCH;
			writable();
		});
	}

	@Override
	public void onNext(ByteBuf buffer) {
		this.exchange.onLoop(() -> {
			if (this.exchange.isEnded() || this.discard) {
				buffer.release();
				if (!this.exchange.isEnded()) {
					askMore();
				}
				return;
			}
			this.visitor.writeContent(buffer);
			this.visitor.flushSoon();
			askMore();
		});
	}

	private void askMore() {
		Subscription subscription = this.subscription;
		if (subscription == null) {
			return;
		}
		if (this.visitor.writable()) {
			subscription.request(1);
		}
		else {
			this.owed++;
		}
	}

	/** The visitor drained: the body buffers it was too busy for are asked for. */
	void writable() {
		Subscription subscription = this.subscription;
		if (subscription != null && this.owed > 0 && !this.exchange.isEnded() && this.visitor.writable()) {
			int n = this.owed;
			this.owed = 0;
			subscription.request(n);
		}
	}

	@Override
	public void onError(Throwable cause) {
		this.exchange.onLoop(() -> this.exchange.responseBroke(cause));
	}

	@Override
	public void onComplete() {
		this.exchange.onLoop(this.exchange::responseCompleted);
	}

}
