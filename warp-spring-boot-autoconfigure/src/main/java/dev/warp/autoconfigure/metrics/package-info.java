/**
 * Micrometer metrics of the Warp tunnel and their auto-configuration.
 */
@NullMarked
package dev.warp.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
