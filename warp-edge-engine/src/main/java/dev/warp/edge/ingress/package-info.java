/**
 * The public listener: visitors' HTTP requests forwarded as HTTP/2 streams down tunnel connections.
 */
@NullMarked
package dev.warp.edge.ingress;

import org.jspecify.annotations.NullMarked;
