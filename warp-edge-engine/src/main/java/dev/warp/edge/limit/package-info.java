/**
 * What the edge counts per client address so that one client cannot take what every other
 * needs: connections open at once, in total and per address ({@link dev.warp.edge.limit.ConnectionLimit}),
 * keyed by {@link dev.warp.edge.limit.ClientAddress}.
 */
@NullMarked
package dev.warp.edge.limit;

import org.jspecify.annotations.NullMarked;
