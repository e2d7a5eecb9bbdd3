package dev.warp.agent;

import java.net.URI;

/**
 * The edge did not issue an origin certificate. {@link #isRefusal() A refusal} (bad token,
 * hostname outside the token's zones, bad request) will not change by retrying; an unreachable
 * edge may.
 */
public final class ProvisioningException extends RuntimeException {

	/** Why provisioning failed. */
	public enum Reason {

		/** 401: the token is unknown or revoked. */
		TOKEN_REJECTED,

		/** 403: the token's zones do not cover the hostname. */
		HOSTNAME_NOT_ALLOWED,

		/** 400 or another refusal: the request itself was refused. */
		REQUEST_REJECTED,

		/** The CA the edge serves does not match the connector token's pin. */
		CA_PIN_MISMATCH,

		/** The edge could not be reached, or failed on its side (5xx). */
		EDGE_UNREACHABLE

	}

	private final Reason reason;

	private final URI url;

	private final String hostname;

	public ProvisioningException(Reason reason, URI url, String hostname, String message, Throwable cause) {
		super(message, cause);
		this.reason = reason;
		this.url = url;
		this.hostname = hostname;
	}

	public ProvisioningException(Reason reason, URI url, String hostname, String message) {
		super(message);
		this.reason = reason;
		this.url = url;
		this.hostname = hostname;
	}

	public Reason reason() {
		return this.reason;
	}

	/** The provisioning API that was asked. */
	public URI url() {
		return this.url;
	}

	/** The hostname a certificate was asked for. */
	public String hostname() {
		return this.hostname;
	}

	/** Whether the edge answered and refused: retrying the same request cannot help. */
	public boolean isRefusal() {
		return this.reason != Reason.EDGE_UNREACHABLE;
	}

}
