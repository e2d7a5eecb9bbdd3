/**
 * Publicly trusted certificates for the TLS public listener from an ACME (RFC 8555) CA: the
 * account, orders and their challenges (HTTP-01 on the cleartext listener, TLS-ALPN-01 on the
 * TLS one), the certificates kept in the data directory and renewed before they expire.
 */
@NullMarked
package dev.warp.edge.acme;

import org.jspecify.annotations.NullMarked;
