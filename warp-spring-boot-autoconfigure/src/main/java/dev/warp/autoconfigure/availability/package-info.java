/**
 * The tunnel following the application's availability states, and its auto-configuration.
 */
@NullMarked
package dev.warp.autoconfigure.availability;

import org.jspecify.annotations.NullMarked;
