/**
 * The connector token: what an application needs to reach, trust and authenticate to an edge,
 * in one string.
 */
@NullMarked
package dev.warp.core.token;

import org.jspecify.annotations.NullMarked;
