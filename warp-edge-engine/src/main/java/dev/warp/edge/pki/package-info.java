/**
 * The edge's credentials: its CA and the tunnel TLS certificate issued by it.
 */
@NullMarked
package dev.warp.edge.pki;

import org.jspecify.annotations.NullMarked;
