/**
 * Auto-configuration of the Warp tunnel: properties, lifecycle, startup failure analysis.
 */
@NullMarked
package dev.warp.autoconfigure.tunnel;

import org.jspecify.annotations.NullMarked;
