/**
 * The route table: which tunnel connections serve which hostname.
 */
@NullMarked
package dev.warp.edge.routing;

import org.jspecify.annotations.NullMarked;
