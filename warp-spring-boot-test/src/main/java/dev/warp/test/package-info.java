/**
 * Testing an application through a real edge: {@link dev.warp.test.AutoConfigureWarpEdge} starts
 * one in the test JVM and points the application's tunnel at it, {@link dev.warp.test.WarpTestEdge}
 * reaches the application through it and injects faults.
 */
@NullMarked
package dev.warp.test;

import org.jspecify.annotations.NullMarked;
