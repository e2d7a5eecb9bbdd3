package dev.warp.agent.internal.connection;

/**
 * The edge refused to route the application's hostname to this agent, and said why (its
 * {@code refused} control message): the hostname is served by another account's agents, say.
 * The connection is closed and retried with backoff, since the cause may go away.
 */
public class RegistrationRefusedException extends TunnelException {

	public RegistrationRefusedException(String message) {
		super(message);
	}

}
