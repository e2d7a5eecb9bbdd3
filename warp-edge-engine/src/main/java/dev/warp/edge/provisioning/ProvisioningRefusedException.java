package dev.warp.edge.provisioning;

/**
 * The edge refuses to issue a certificate; carries the HTTP status the provisioning API answers
 * with and a message the agent shows its operator.
 */
public final class ProvisioningRefusedException extends RuntimeException {

	private final int status;

	ProvisioningRefusedException(int status, String message) {
		super(message);
		this.status = status;
	}

	/** 400 bad request, 401 unknown or revoked token, 403 hostname outside the token's zones. */
	public int status() {
		return this.status;
	}

}
