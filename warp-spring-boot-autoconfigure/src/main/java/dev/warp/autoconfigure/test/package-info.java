/**
 * Behaviour of the tunnel in tests run by Spring's TestContext framework: off unless a test
 * asks for it.
 */
@NullMarked
package dev.warp.autoconfigure.test;

import org.jspecify.annotations.NullMarked;
