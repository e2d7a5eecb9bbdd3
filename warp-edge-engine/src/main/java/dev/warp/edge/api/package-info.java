/**
 * The API listener: status of the node and its tunnel connections, as JSON and as a dashboard.
 */
@NullMarked
package dev.warp.edge.api;

import org.jspecify.annotations.NullMarked;
