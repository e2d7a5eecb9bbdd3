/**
 * Liveness of tunnel connections: HTTP/2 PING heartbeats and round-trip time, on both ends.
 */
@NullMarked
package dev.warp.core.liveness;

import org.jspecify.annotations.NullMarked;
