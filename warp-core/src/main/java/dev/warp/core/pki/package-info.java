/**
 * Keys, certificates and the edge's certificate authority, with BouncyCastle.
 */
@NullMarked
package dev.warp.core.pki;

import org.jspecify.annotations.NullMarked;
