package dev.warp.agent.internal.connection;

import java.util.function.Consumer;

import dev.warp.core.protocol.ControlMessage;
import io.netty.channel.EventLoop;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

/**
 * Whether the application accepts traffic, shared by every connection of a tunnel: each
 * registered connection tells its edge {@code ready} or {@code not-ready} when it changes, and
 * a connection that registers while the application refuses traffic says so in its
 * registration. Connections stay open either way.
 */
public final class Readiness {

	private final Sinks.Many<Boolean> states = Sinks.many().replay().latest();

	private volatile boolean accepting = true;

	public Readiness() {
		this.states.tryEmitNext(true);
	}

	/** Whether the application accepts traffic now. */
	public boolean isAcceptingTraffic() {
		return this.accepting;
	}

	/**
	 * Changes the state.
	 * @return whether it changed
	 */
	public synchronized boolean acceptTraffic(boolean accepting) {
		if (this.accepting == accepting) {
			return false;
		}
		this.accepting = accepting;
		this.states.tryEmitNext(accepting);
		return true;
	}

	/**
	 * Keeps one connection's edge informed: from the state announced in its registration on,
	 * sends {@code ready} or {@code not-ready} on the connection's event loop whenever the state
	 * differs from what the edge was last told.
	 * @param announced the state the registration carried
	 * @param loop the connection's event loop, where its control messages are sent
	 * @param send sends a control message on the connection's control stream
	 * @return what stops following, once the connection is closed
	 */
	Disposable follow(boolean announced, EventLoop loop, Consumer<ControlMessage> send) {
		boolean[] told = { announced };
		return this.states.asFlux().subscribe((accepting) -> loop.execute(() -> {
			if (told[0] != accepting) {
				told[0] = accepting;
				send.accept(ControlMessage.of(accepting ? ControlMessage.READY : ControlMessage.NOT_READY));
			}
		}));
	}

}
