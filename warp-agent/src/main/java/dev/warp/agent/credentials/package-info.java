/**
 * The agent's origin credentials: the key and the certificate the edge's CA issued for the
 * tunnel's hostname, obtained with an account token, kept on disk owner-only, and renewed before
 * they expire.
 */
@NullMarked
package dev.warp.agent.credentials;

import org.jspecify.annotations.NullMarked;
