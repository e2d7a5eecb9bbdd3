/**
 * Keeps the wanted number of tunnel connections open and re-dials lost ones.
 */
@NullMarked
package dev.warp.agent.supervisor;

import org.jspecify.annotations.NullMarked;
