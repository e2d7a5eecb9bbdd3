/**
 * The visitor side: the public listener, the HTTP/1.1 and HTTP/2 visitor connections' handlers
 * that hand each request to an {@link dev.warp.edge.exchange.Exchange}, and the limits on
 * visitors (connections per address, header timeouts, abusive clients, RFC 9112 checks).
 */
@NullMarked
package dev.warp.edge.visitor;

import org.jspecify.annotations.NullMarked;
