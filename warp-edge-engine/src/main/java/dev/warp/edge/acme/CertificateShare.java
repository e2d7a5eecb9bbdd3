package dev.warp.edge.acme;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * Where the nodes of a cluster share their ACME certificates, so that one node orders a
 * hostname's certificate and every node serves it: the certificates, and a lock per hostname
 * that the ordering node holds; and the answers to the challenges of the orders under way, since
 * the CA's validation may reach any node. Blocking but for {@link #challenge}: used on the ACME
 * executor only.
 */
interface CertificateShare extends AutoCloseable {

	/** A node that stands alone: it shares nothing, and every lock is its own. */
	CertificateShare NONE = new CertificateShare() {

		@Override
		public @Nullable String read(String hostname) {
			return null;
		}

		@Override
		public void write(String hostname, String pem) {
		}

		@Override
		public boolean lock(String hostname, Duration ttl) {
			return true;
		}

		@Override
		public void unlock(String hostname) {
		}

		@Override
		public void publishChallenge(String key, String value, Duration ttl) {
		}

		@Override
		public void withdrawChallenge(String key) {
		}

		@Override
		public CompletionStage<@Nullable String> challenge(String key) {
			return CompletableFuture.completedFuture(null);
		}

		@Override
		public void close() {
		}

	};

	/** The PEM text (key, then chain) another node shared for the hostname, or {@code null}. */
	@Nullable String read(String hostname);

	void write(String hostname, String pem);

	/** Takes the hostname's order for this node, unless another node holds it; held at most {@code ttl}. */
	boolean lock(String hostname, Duration ttl);

	/** Gives the hostname's order back, if this node still holds it. */
	void unlock(String hostname);

	/** Shares the answer to a challenge while its order is under way, at most {@code ttl}. */
	void publishChallenge(String key, String value, Duration ttl);

	void withdrawChallenge(String key);

	/** The answer another node shared, or {@code null}; without blocking, for an event loop. */
	CompletionStage<@Nullable String> challenge(String key);

	@Override
	void close();

}
