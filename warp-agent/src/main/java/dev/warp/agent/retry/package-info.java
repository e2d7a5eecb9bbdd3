/**
 * Backoff between connection attempts.
 */
@NullMarked
package dev.warp.agent.retry;

import org.jspecify.annotations.NullMarked;
