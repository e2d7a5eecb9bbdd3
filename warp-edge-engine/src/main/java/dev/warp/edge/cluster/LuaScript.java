package dev.warp.edge.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisScriptingReactiveCommands;
import reactor.core.publisher.Flux;

/**
 * A Lua script run on the Redis server, where its commands take effect atomically. Sent by its
 * SHA-1 digest ({@code EVALSHA}); sent whole only when the server does not know it yet (first
 * use, or after a restart).
 */
final class LuaScript {

	private final String source;

	private final String sha1;

	private final ScriptOutputType output;

	LuaScript(String source, ScriptOutputType output) {
		this.source = source;
		this.sha1 = sha1(source);
		this.output = output;
	}

	<T> Flux<T> run(RedisScriptingReactiveCommands<String, String> redis, String[] keys, String... args) {
		return redis.<T>evalsha(this.sha1, this.output, keys, args)
			.onErrorResume(RedisNoScriptException.class, (unknown) -> redis.<T>eval(this.source, this.output, keys, args));
	}

	private static String sha1(String source) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is part of every Java platform", ex);
		}
	}

}
