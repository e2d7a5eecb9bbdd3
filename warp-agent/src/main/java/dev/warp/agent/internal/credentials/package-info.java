/**
 * The agent's origin credentials: the key and the certificate the edge's CA issued for the
 * tunnel's hostname, obtained with an account token, kept on disk owner-only, and renewed before
 * they expire.
 *
 * <p>Internal to the agent, not API: its types may change in any release. Use
 * {@link dev.warp.agent.WarpTunnel} and the rest of {@code dev.warp.agent}.
 */
@NullMarked
package dev.warp.agent.internal.credentials;

import org.jspecify.annotations.NullMarked;
