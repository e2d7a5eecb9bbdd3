/**
 * The Warp agent: serves a Spring {@code HttpHandler} through outbound tunnel connections.
 */
@NullMarked
package dev.warp.agent;

import org.jspecify.annotations.NullMarked;
