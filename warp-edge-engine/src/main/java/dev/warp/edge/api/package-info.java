/**
 * The API listener: status of the node and its tunnel connections.
 */
@NullMarked
package dev.warp.edge.api;

import org.jspecify.annotations.NullMarked;
