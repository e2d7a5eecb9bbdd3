package dev.warp.edge.visitor;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.warp.edge.limit.ClientAddress;
import dev.warp.edge.log.RepeatedWarning;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client addresses the public listeners refuse for a while because the edge closed one of their
 * connections for abuse: an HTTP/2 flood Netty's codec answers with {@code GOAWAY
 * ENHANCE_YOUR_CALM} (rapid reset, control frames, empty DATA or CONTINUATION frames). Without
 * it, an attacker opens a new connection for each one closed, and every connection gets the
 * whole per-connection budget again. The first refusal lasts {@code edge.public.abuse-penalty};
 * abuse after it ends doubles it, up to {@code edge.public.max-abuse-penalty}; an address quiet
 * for that long after its refusal ended is forgotten. The map of addresses holds at most
 * {@value #MAX_CLIENTS}: when full, forgotten and expired ones are swept first, and a new one is
 * not taken while every place holds a refusal still running.
 */
public final class AbusiveClients {

	private static final Logger logger = LoggerFactory.getLogger(AbusiveClients.class);

	/** The most addresses remembered at once (about 100 bytes each). */
	static final int MAX_CLIENTS = 65_536;

	private static final long SWEEP_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

	private final long firstNanos;

	private final long maxNanos;

	private final LongSupplier nanoClock;

	private final int maxClients;

	private final ConcurrentHashMap<Object, Penalty> penalties = new ConcurrentHashMap<>();

	private final AtomicLong refused = new AtomicLong();

	private final AtomicLong lastSweepNanos;

	private final RepeatedWarning closedForAbuse = new RepeatedWarning(logger,
			"visitor connection(s) closed for abuse (GOAWAY ENHANCE_YOUR_CALM); their address is refused for a while "
					+ "(edge.public.abuse-penalty, doubled per repeat up to edge.public.max-abuse-penalty)");

	private final RepeatedWarning refusedWarning = new RepeatedWarning(logger,
			"visitor connection(s) refused: their address abused the edge recently (edge.public.abuse-penalty). "
					+ "Counted in warp.edge.public.connections.refused");

	/**
	 * @param first how long an address is refused after its first abuse
	 * @param max the longest refusal, and how long a quiet address is remembered after one
	 */
	public AbusiveClients(Duration first, Duration max) {
		this(first, max, System::nanoTime, MAX_CLIENTS);
	}

	AbusiveClients(Duration first, Duration max, LongSupplier nanoClock, int maxClients) {
		this.firstNanos = first.toNanos();
		this.maxNanos = Math.max(this.firstNanos, max.toNanos());
		this.nanoClock = nanoClock;
		this.maxClients = maxClients;
		this.lastSweepNanos = new AtomicLong(nanoClock.getAsLong() - SWEEP_INTERVAL_NANOS);
	}

	/**
	 * Closes a connection just accepted when its address is refused now.
	 * @return whether it was refused
	 */
	boolean refuses(Channel channel) {
		if (this.penalties.isEmpty()) {
			return false;
		}
		SocketAddress remote = channel.remoteAddress();
		if (!isRefused(remote)) {
			return false;
		}
		this.refused.incrementAndGet();
		this.refusedWarning.occurred(String.valueOf(remote));
		channel.close();
		return true;
	}

	/** Whether a connection from {@code remote} is refused now. */
	boolean isRefused(SocketAddress remote) {
		Object client = ClientAddress.of(remote);
		Penalty penalty = this.penalties.get(client);
		if (penalty == null) {
			return false;
		}
		long now = this.nanoClock.getAsLong();
		if (now - penalty.untilNanos() < 0) {
			return true;
		}
		if (now - penalty.forgetNanos() >= 0) {
			this.penalties.remove(client, penalty);
		}
		return false;
	}

	/**
	 * Watches an HTTP/2 visitor connection: when its codec closes it with {@code GOAWAY
	 * ENHANCE_YOUR_CALM}, its address is refused. Call once its HTTP/2 codec is in the pipeline,
	 * before the codec decodes the visitor's frames.
	 */
	void watch(Channel channel) {
		Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
		if (codec == null) {
			return;
		}
		SocketAddress remote = channel.remoteAddress();
		codec.connection().addListener(new Http2ConnectionAdapter() {

			@Override
			public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
				if (errorCode == Http2Error.ENHANCE_YOUR_CALM.code()) {
					String reason = debugData.toString(debugData.readerIndex(), Math.min(debugData.readableBytes(), 200),
							StandardCharsets.UTF_8);
					Duration penalty = abused(remote);
					AbusiveClients.this.closedForAbuse.occurred(remote + " (" + reason + "), refused for " + penalty);
				}
			}

		});
	}

	/**
	 * The edge closed a connection from {@code remote} for abuse: its address is refused from
	 * now, for longer if it abused before.
	 * @return how long it is refused
	 */
	Duration abused(SocketAddress remote) {
		Object client = ClientAddress.of(remote);
		long now = this.nanoClock.getAsLong();
		if (!this.penalties.containsKey(client) && this.penalties.size() >= this.maxClients && !sweep(now)) {
			// Every place holds a running refusal: this address's connection was closed all the same.
			return Duration.ZERO;
		}
		Penalty penalty = this.penalties.compute(client, (key, previous) -> next(previous, now));
		return Duration.ofNanos(penalty.untilNanos() - now);
	}

	private Penalty next(Penalty previous, long now) {
		if (previous != null && now - previous.untilNanos() < 0) {
			// More connections it opened before its refusal began: the same offence.
			return previous;
		}
		int repeats = (previous != null && now - previous.forgetNanos() < 0) ? previous.repeats() + 1 : 0;
		long duration = this.firstNanos;
		for (int i = 0; i < repeats && duration < this.maxNanos; i++) {
			duration *= 2;
		}
		duration = Math.min(duration, this.maxNanos);
		return new Penalty(now + duration, now + duration + this.maxNanos, repeats);
	}

	/**
	 * Drops the addresses forgotten by now, or failing that those whose refusal ended, at most
	 * once a second.
	 * @return whether there is room for another address
	 */
	private boolean sweep(long now) {
		long last = this.lastSweepNanos.get();
		if (now - last >= SWEEP_INTERVAL_NANOS && this.lastSweepNanos.compareAndSet(last, now)) {
			this.penalties.values().removeIf((penalty) -> now - penalty.forgetNanos() >= 0);
			if (this.penalties.size() >= this.maxClients) {
				this.penalties.values().removeIf((penalty) -> now - penalty.untilNanos() >= 0);
			}
		}
		return this.penalties.size() < this.maxClients;
	}

	/** The connections refused because their address abused the edge recently, since the node started. */
	public long refused() {
		return this.refused.get();
	}

	/** The addresses remembered now. */
	int clients() {
		return this.penalties.size();
	}

	/**
	 * @param untilNanos when the refusal ends
	 * @param forgetNanos when the address is forgotten, unless it abuses again
	 * @param repeats how many refusals came before this one without the address being forgotten
	 */
	private record Penalty(long untilNanos, long forgetNanos, int repeats) {
	}

}
