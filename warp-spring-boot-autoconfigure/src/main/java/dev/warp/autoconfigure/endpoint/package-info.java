/**
 * The {@code warp} actuator endpoint and its auto-configuration.
 */
@NullMarked
package dev.warp.autoconfigure.endpoint;

import org.jspecify.annotations.NullMarked;
