/**
 * The tunnel listener: TLS 1.3 + ALPN h2 connections dialled by agents, on which the edge is the HTTP/2 client,
 * and the handlers of their streams (an HTTP response, a WebSocket).
 */
@NullMarked
package dev.warp.edge.tunnel;

import org.jspecify.annotations.NullMarked;
