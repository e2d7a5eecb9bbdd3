/**
 * The {@code warp} health indicator and its auto-configuration.
 */
@NullMarked
package dev.warp.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
