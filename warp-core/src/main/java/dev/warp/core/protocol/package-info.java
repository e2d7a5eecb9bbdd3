/**
 * The wire contract between agent and edge: ALPN, header names, control messages.
 */
@NullMarked
package dev.warp.core.protocol;

import org.jspecify.annotations.NullMarked;
