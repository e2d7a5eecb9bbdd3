package dev.warp.edge.acme;

import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.warp.core.pki.KeyPairs;
import dev.warp.edge.AcmeSettings.Challenge;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Identifier;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.util.KeyPairUtils;

/**
 * One ACME order for one hostname, start to end (RFC 8555 section 7.4): the order, a challenge
 * per authorization answered by the edge's listeners, the CSR, the certificate. Blocking: runs
 * on the ACME executor, never on an event loop.
 */
final class CertificateOrder {

	private final List<Challenge> preferred;

	private final Duration timeout;

	private final AcmeHttpChallenges http;

	private final AcmeTlsChallenges tls;

	CertificateOrder(List<Challenge> preferred, Duration timeout, AcmeHttpChallenges http, AcmeTlsChallenges tls) {
		this.preferred = preferred;
		this.timeout = timeout;
		this.http = http;
		this.tls = tls;
	}

	/** Orders a certificate for the hostname and waits until it is issued. */
	IssuedCertificate issue(Account account, String hostname) throws AcmeException, InterruptedException {
		Order order = account.newOrder().domain(hostname).create();
		for (Authorization authorization : order.getAuthorizations()) {
			if (authorization.getStatus() != Status.VALID) {
				authorize(authorization, hostname);
			}
		}
		order.waitUntilReady(this.timeout);
		KeyPair keys = KeyPairs.generate();
		order.execute(keys);
		if (order.waitForCompletion(this.timeout) != Status.VALID) {
			throw new AcmeException("the order of " + hostname + " ended " + order.getStatus() + problem(order.getError()));
		}
		return new IssuedCertificate(hostname, keys.getPrivate(), order.getCertificate().getCertificateChain());
	}

	private void authorize(Authorization authorization, String hostname) throws AcmeException, InterruptedException {
		for (Challenge type : this.preferred) {
			if (type == Challenge.HTTP_01) {
				Optional<Http01Challenge> challenge = authorization.findChallenge(Http01Challenge.class);
				if (challenge.isPresent()) {
					this.http.publish(challenge.get().getToken(), challenge.get().getAuthorization());
					try {
						complete(challenge.get(), hostname);
					}
					finally {
						this.http.withdraw(challenge.get().getToken());
					}
					return;
				}
			}
			else {
				Optional<TlsAlpn01Challenge> challenge = authorization.findChallenge(TlsAlpn01Challenge.class);
				if (challenge.isPresent()) {
					publish(challenge.get(), authorization.getIdentifier());
					try {
						complete(challenge.get(), hostname);
					}
					finally {
						this.tls.withdraw(authorization.getIdentifier().getDomain());
					}
					return;
				}
			}
		}
		throw new AcmeException("the CA offers none of the challenge types " + this.preferred + " for " + hostname);
	}

	private void publish(TlsAlpn01Challenge challenge, Identifier identifier) throws AcmeException {
		// RSA: acme4j signs the challenge's self-signed certificate with SHA256withRSA.
		KeyPair keys = KeyPairUtils.createKeyPair(2048);
		try {
			this.tls.publish(identifier.getDomain(), keys, challenge.createCertificate(keys, identifier));
		}
		catch (RuntimeException ex) {
			throw new AcmeException("cannot make the TLS-ALPN-01 certificate of " + identifier.getDomain(), ex);
		}
	}

	private void complete(org.shredzone.acme4j.challenge.Challenge challenge, String hostname)
			throws AcmeException, InterruptedException {
		challenge.trigger();
		if (challenge.waitForCompletion(this.timeout) != Status.VALID) {
			throw new AcmeException("the " + challenge.getType() + " challenge of " + hostname + " failed"
					+ problem(challenge.getError()));
		}
	}

	private static String problem(Optional<Problem> problem) {
		return problem.map((p) -> ": " + p).orElse("");
	}

}
