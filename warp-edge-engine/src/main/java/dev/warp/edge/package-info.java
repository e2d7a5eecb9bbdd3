/**
 * The edge node: settings, the embeddable node and the runnable application.
 */
@NullMarked
package dev.warp.edge;

import org.jspecify.annotations.NullMarked;
