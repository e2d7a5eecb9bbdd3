package dev.warp.edge.acme;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import org.jspecify.annotations.Nullable;

/**
 * The ACME certificates of a cluster in its Redis: {@code warp:acme:cert:<hostname>} holds a
 * certificate with its key (PEM), {@code warp:acme:lock:<hostname>} the id of the node that is
 * ordering it, set only if absent and expiring, so that a node that dies mid-order does not block
 * the others for longer than an order may take; {@code warp:acme:challenge:<key>} the answer to
 * a challenge of an order under way, expiring too.
 */
final class RedisCertificateShare implements CertificateShare {

	static final String CERTIFICATE_PREFIX = "warp:acme:cert:";

	static final String LOCK_PREFIX = "warp:acme:lock:";

	static final String CHALLENGE_PREFIX = "warp:acme:challenge:";

	/** Deletes the lock only if this node still holds it: one that expired may be another's now. */
	private static final String UNLOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
			+ "else return 0 end";

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	private final String nodeId;

	private RedisCertificateShare(RedisClient client, StatefulRedisConnection<String, String> connection, String nodeId) {
		this.client = client;
		this.connection = connection;
		this.nodeId = nodeId;
	}

	/**
	 * Connects to the cluster's Redis.
	 * @throws IllegalStateException when it cannot be reached
	 */
	static RedisCertificateShare connect(String redisUrl, String nodeId) {
		RedisURI uri = RedisURI.create(redisUrl);
		uri.setClientName("warp-edge-acme:" + nodeId);
		RedisClient client = RedisClient.create(uri);
		try {
			return new RedisCertificateShare(client, client.connect(StringCodec.UTF8), nodeId);
		}
		catch (RuntimeException ex) {
			client.shutdown(0, 2, TimeUnit.SECONDS);
			throw new IllegalStateException("Cannot connect to Redis at " + uri.getHost() + ":" + uri.getPort()
					+ " to share ACME certificates: " + ex.getMessage(), ex);
		}
	}

	private RedisCommands<String, String> commands() {
		return this.connection.sync();
	}

	@Override
	public @Nullable String read(String hostname) {
		return commands().get(CERTIFICATE_PREFIX + hostname);
	}

	@Override
	public void write(String hostname, String pem) {
		commands().set(CERTIFICATE_PREFIX + hostname, pem);
	}

	@Override
	public boolean lock(String hostname, Duration ttl) {
		return "OK".equals(commands().set(LOCK_PREFIX + hostname, this.nodeId, SetArgs.Builder.nx().px(ttl.toMillis())));
	}

	@Override
	public void unlock(String hostname) {
		commands().eval(UNLOCK, ScriptOutputType.INTEGER, new String[] { LOCK_PREFIX + hostname }, this.nodeId);
	}

	@Override
	public void publishChallenge(String key, String value, Duration ttl) {
		commands().set(CHALLENGE_PREFIX + key, value, SetArgs.Builder.px(ttl.toMillis()));
	}

	@Override
	public void withdrawChallenge(String key) {
		commands().del(CHALLENGE_PREFIX + key);
	}

	@Override
	public CompletionStage<@Nullable String> challenge(String key) {
		return this.connection.async().get(CHALLENGE_PREFIX + key);
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown(0, 2, TimeUnit.SECONDS);
	}

}
