package dev.warp.edge.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The route table the nodes of a cluster share, kept in Redis. Every entry is a lease: it has an
 * expiry, its node renews it while alive, and it is gone soon after the node dies, even one
 * killed without any chance to clean up.
 *
 * <table>
 * <caption>Keys</caption>
 * <tr><th>key</th><th>type</th><th>holds</th></tr>
 * <tr><td>{@code warp:node:<node id>}</td><td>string, {@code PX} lease TTL</td><td>the node's peer
 * listener, {@code host:port}</td></tr>
 * <tr><td>{@code warp:routes:<hostname>}</td><td>sorted set, {@code PEXPIRE} lease TTL</td><td>the
 * ids of the nodes with a tunnel connection for the hostname, each scored by the expiry of its
 * entry (Redis server time, epoch milliseconds)</td></tr>
 * <tr><td>{@code warp:owner:<hostname>}</td><td>string, {@code PX} lease TTL</td><td>the account
 * (zone) whose agents serve the hostname, renewed with its routes; none for a hostname that
 * accounts share</td></tr>
 * <tr><td>{@code warp:hostnames}</td><td>set, {@code PEXPIRE} lease TTL</td><td>every hostname
 * with a {@code warp:routes:} key, for the sweep</td></tr>
 * <tr><td>{@code warp:ca}</td><td>string, {@code PX} lease TTL</td><td>SHA-256 of the cluster's CA
 * certificate: a node with another CA cannot join</td></tr>
 * </table>
 *
 * <p>Every write is a Lua script, atomic on the server, and every expiry is computed from the
 * server's clock, so the nodes' clocks need not agree. Keys are renewed with the longest TTL any
 * node asks for and never shortened. The scripts touch several keys, so the store is a single
 * Redis server (replicated or not), not a Redis Cluster.
 *
 * <p>Every method is non-blocking but {@link #connect} and {@link #close}.
 */
public final class RedisRouteTable implements AutoCloseable {

	/** Prefix of a node's lease. */
	static final String NODE_PREFIX = "warp:node:";

	/** Prefix of a hostname's route entries. */
	static final String ROUTES_PREFIX = "warp:routes:";

	/** Prefix of the account that owns a hostname. */
	static final String OWNER_PREFIX = "warp:owner:";

	/** The hostnames that have route entries. */
	static final String HOSTNAMES = "warp:hostnames";

	/** The fingerprint of the cluster's CA. */
	static final String CA = "warp:ca";

	private static final Logger logger = LoggerFactory.getLogger(RedisRouteTable.class);

	/** The server's clock, in epoch milliseconds, as a Lua number. */
	private static final String NOW = """
			local time = redis.call('TIME')
			local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
			""";

	/** Extends a key's TTL to ARGV[ttl] milliseconds unless it is longer already. */
	private static final String EXTEND = """
			local function extend(key, ttl)
			  local left = redis.call('PTTL', key)
			  if left < ttl then redis.call('PEXPIRE', key, ttl) end
			end
			""";

	/**
	 * KEYS: node lease, CA. ARGV: peer address, TTL millis, CA fingerprint. Returns {@code ok},
	 * or the fingerprint of the cluster's CA when it is another one (nothing written then).
	 */
	private static final LuaScript RENEW_NODE = new LuaScript("""
			local ca = redis.call('GET', KEYS[2])
			if ca and ca ~= ARGV[3] then return ca end
			redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
			redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
			return 'ok'
			""", ScriptOutputType.VALUE);

	/** KEYS: routes of the hostname, hostnames, owner of the hostname. ARGV: node id, TTL millis, hostname. */
	private static final LuaScript PUBLISH_ROUTE = new LuaScript(NOW + EXTEND + """
			local ttl = tonumber(ARGV[2])
			redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
			extend(KEYS[1], ttl)
			redis.call('SADD', KEYS[2], ARGV[3])
			extend(KEYS[2], ttl)
			if redis.call('EXISTS', KEYS[3]) == 1 then extend(KEYS[3], ttl) end
			return 1
			""", ScriptOutputType.INTEGER);

	/**
	 * KEYS: owner of the hostname. ARGV: account, TTL millis. Returns {@code ok} when the account
	 * owns the hostname now (it did, or nobody did), or else the account that does.
	 */
	private static final LuaScript CLAIM_OWNER = new LuaScript(EXTEND + """
			local owner = redis.call('GET', KEYS[1])
			if owner and owner ~= ARGV[1] then return owner end
			if owner then extend(KEYS[1], tonumber(ARGV[2])) else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
			return 'ok'
			""", ScriptOutputType.VALUE);

	/**
	 * KEYS: routes of the hostname. ARGV: node lease prefix. Returns node id and peer address
	 * pairs, for every unexpired entry whose node still holds its lease.
	 */
	private static final LuaScript LOOKUP = new LuaScript(NOW + """
			local found = {}
			for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%.0f', now), '+inf')) do
			  local address = redis.call('GET', ARGV[1] .. id)
			  if address then
			    found[#found + 1] = id
			    found[#found + 1] = address
			  end
			end
			return found
			""", ScriptOutputType.MULTI);

	/**
	 * KEYS: hostnames. ARGV: routes prefix. Removes expired entries of every hostname, and
	 * hostnames left without entries. Returns how many entries it removed.
	 */
	private static final LuaScript SWEEP = new LuaScript(NOW + """
			local removed = 0
			for _, hostname in ipairs(redis.call('SMEMBERS', KEYS[1])) do
			  local key = ARGV[1] .. hostname
			  removed = removed + redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.0f', now))
			  if redis.call('EXISTS', key) == 0 then redis.call('SREM', KEYS[1], hostname) end
			end
			return removed
			""", ScriptOutputType.INTEGER);

	/**
	 * KEYS: hostnames. ARGV: routes prefix, node lease prefix. Returns two arrays: node id and
	 * peer address pairs of every node that holds its lease, and hostname and node id pairs of
	 * every unexpired route entry. For the status API, not the visitors' path.
	 */
	private static final LuaScript NODES = new LuaScript(NOW + """
			local nodes = {}
			for _, key in ipairs(redis.call('KEYS', ARGV[2] .. '*')) do
			  local address = redis.call('GET', key)
			  if address then
			    nodes[#nodes + 1] = string.sub(key, #ARGV[2] + 1)
			    nodes[#nodes + 1] = address
			  end
			end
			local routes = {}
			for _, hostname in ipairs(redis.call('SMEMBERS', KEYS[1])) do
			  for _, id in ipairs(redis.call('ZRANGEBYSCORE', ARGV[1] .. hostname, '(' .. string.format('%.0f', now), '+inf')) do
			    routes[#routes + 1] = hostname
			    routes[#routes + 1] = id
			  end
			end
			return {nodes, routes}
			""", ScriptOutputType.MULTI);

	private final ClientResources resources;

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	private final RedisReactiveCommands<String, String> redis;

	private final String server;

	private RedisRouteTable(ClientResources resources, RedisClient client, StatefulRedisConnection<String, String> connection,
			String server) {
		this.resources = resources;
		this.client = client;
		this.connection = connection;
		this.redis = connection.reactive();
		this.server = server;
	}

	/**
	 * Connects to the Redis server; blocks until connected. Once connected, the connection
	 * reconnects by itself; while it is down, commands fail at once instead of queueing.
	 * @param redisUrl {@code redis://[:password@]host[:port][/database]}, or {@code rediss://} for TLS
	 * @param clientName the name the connection has on the server ({@code CLIENT LIST})
	 * @param commandTimeout how long a command may take
	 * @throws IllegalStateException when the server cannot be reached
	 */
	public static RedisRouteTable connect(String redisUrl, String clientName, Duration commandTimeout) {
		RedisURI uri = RedisURI.create(redisUrl);
		uri.setTimeout(commandTimeout);
		uri.setClientName(clientName);
		String server = uri.getHost() + ":" + uri.getPort();
		ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
		RedisClient client = RedisClient.create(resources, uri);
		client.setOptions(ClientOptions.builder()
			.autoReconnect(true)
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.timeoutOptions(TimeoutOptions.enabled(commandTimeout))
			.build());
		try {
			return new RedisRouteTable(resources, client, client.connect(StringCodec.UTF8), server);
		}
		catch (RuntimeException ex) {
			shutdown(client, resources);
			throw new IllegalStateException("Cannot connect to Redis at " + server + ": " + ex.getMessage(), ex);
		}
	}

	/** {@code host:port} of the Redis server, without credentials. */
	public String server() {
		return this.server;
	}

	/**
	 * Writes or renews a node's lease.
	 * @return empty when renewed, or the fingerprint of the cluster's CA when it is not
	 * {@code caFingerprint} (nothing is written then)
	 */
	Mono<String> renewNode(String nodeId, String peerAddress, Duration ttl, String caFingerprint) {
		return RENEW_NODE.<String>run(this.redis, new String[] { NODE_PREFIX + nodeId, CA }, peerAddress, millis(ttl),
				caFingerprint)
			.next()
			.filter((result) -> !"ok".equals(result));
	}

	/** The peer address in a node's lease; empty when it holds none. */
	Mono<String> nodeLease(String nodeId) {
		return this.redis.get(NODE_PREFIX + nodeId);
	}

	/** Adds or renews the entry that routes a hostname to a node. */
	Mono<Void> publishRoute(String hostname, String nodeId, Duration ttl) {
		return PUBLISH_ROUTE.run(this.redis, new String[] { ROUTES_PREFIX + hostname, HOSTNAMES, OWNER_PREFIX + hostname },
				nodeId, millis(ttl), hostname)
			.then();
	}

	/**
	 * Makes an account the owner of a hostname, across the cluster, unless another one is.
	 * @return empty when the account owns it now, or the account that does
	 */
	Mono<String> claimOwner(String hostname, String account, Duration ttl) {
		return CLAIM_OWNER.<String>run(this.redis, new String[] { OWNER_PREFIX + hostname }, account, millis(ttl))
			.next()
			.filter((result) -> !"ok".equals(result));
	}

	/** Removes the entry that routes a hostname to a node. */
	Mono<Void> withdrawRoute(String hostname, String nodeId) {
		return this.redis.zrem(ROUTES_PREFIX + hostname, nodeId).then();
	}

	/** Removes every expired route entry, of any node; emits how many. */
	Mono<Long> sweep() {
		return SWEEP.<Long>run(this.redis, new String[] { HOSTNAMES }, ROUTES_PREFIX).next().defaultIfEmpty(0L);
	}

	/** The live nodes with an unexpired route entry for a hostname, this one included. */
	Mono<List<Peer>> lookup(String hostname) {
		return LOOKUP.<Object>run(this.redis, new String[] { ROUTES_PREFIX + hostname }, NODE_PREFIX)
			.collectList()
			.map(RedisRouteTable::peers);
	}

	/** Every node that holds its lease, with the hostnames it has unexpired route entries for. */
	Mono<List<ClusterNode>> nodes() {
		return NODES.<Object>run(this.redis, new String[] { HOSTNAMES }, ROUTES_PREFIX, NODE_PREFIX)
			.collectList()
			.map((reply) -> {
				// The driver may deliver the two arrays as one list or one by one.
				List<?> parts = (reply.size() == 1 && reply.get(0) instanceof List<?> nested) ? nested : reply;
				return ClusterNode.of((List<?>) parts.get(0), (List<?>) parts.get(1));
			});
	}

	/** Removes a node's lease and the route entries it names, as a node that stops does. */
	Mono<Void> leave(String nodeId, Collection<String> hostnames) {
		Flux<Long> withdrawals = Flux.fromIterable(hostnames)
			.flatMap((hostname) -> this.redis.zrem(ROUTES_PREFIX + hostname, nodeId));
		return withdrawals.then(this.redis.del(NODE_PREFIX + nodeId)).then();
	}

	/** Closes the connection and its threads; waits a few seconds at most. */
	@Override
	public void close() {
		try {
			this.connection.close();
		}
		finally {
			shutdown(this.client, this.resources);
		}
	}

	private static void shutdown(RedisClient client, ClientResources resources) {
		try {
			client.shutdown(0, 2, TimeUnit.SECONDS);
			resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			logger.debug("Redis client shutdown incomplete", ex);
		}
	}

	/**
	 * A script's array reply: the driver may deliver it as one list or element by element.
	 */
	private static List<Peer> peers(List<Object> reply) {
		List<?> items = (reply.size() == 1 && reply.get(0) instanceof List<?> nested) ? nested : reply;
		List<Peer> peers = new ArrayList<>(items.size() / 2);
		for (int i = 0; i + 1 < items.size(); i += 2) {
			String nodeId = String.valueOf(items.get(i));
			try {
				peers.add(Peer.parse(nodeId, String.valueOf(items.get(i + 1))));
			}
			catch (IllegalArgumentException ex) {
				logger.warn("Ignoring the lease of edge node {}: {}", nodeId, ex.getMessage());
			}
		}
		return peers;
	}

	private static String millis(Duration duration) {
		return Long.toString(duration.toMillis());
	}

}
