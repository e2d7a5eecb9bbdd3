/**
 * Backoff between connection attempts.
 *
 * <p>Internal to the agent, not API: its types may change in any release. Use
 * {@link dev.warp.agent.WarpTunnel} and the rest of {@code dev.warp.agent}.
 */
@NullMarked
package dev.warp.agent.internal.retry;

import org.jspecify.annotations.NullMarked;
