/**
 * Accounts and provisioning: account tokens scoped to zones, the TLS API where an agent trades a
 * token and a CSR for an origin certificate, and certificate revocation.
 */
@NullMarked
package dev.warp.edge.provisioning;

import org.jspecify.annotations.NullMarked;
