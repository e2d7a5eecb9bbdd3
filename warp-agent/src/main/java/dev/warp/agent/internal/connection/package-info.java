/**
 * One tunnel connection: dialling, TLS, the HTTP/2 server role on it, the control stream.
 *
 * <p>Internal to the agent, not API: its types may change in any release. Use
 * {@link dev.warp.agent.WarpTunnel} and the rest of {@code dev.warp.agent}.
 */
@NullMarked
package dev.warp.agent.internal.connection;

import org.jspecify.annotations.NullMarked;
