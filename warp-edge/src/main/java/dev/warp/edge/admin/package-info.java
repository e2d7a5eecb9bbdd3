/**
 * The edge jar's operator commands: account tokens and certificate revocation.
 */
@NullMarked
package dev.warp.edge.admin;

import org.jspecify.annotations.NullMarked;
