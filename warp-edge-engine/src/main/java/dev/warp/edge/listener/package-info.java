/**
 * What every listener of the edge shares: the connections it accepted, closed with it.
 */
@NullMarked
package dev.warp.edge.listener;

import org.jspecify.annotations.NullMarked;
