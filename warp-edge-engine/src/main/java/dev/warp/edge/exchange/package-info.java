/**
 * One visitor request's life on the edge ({@link dev.warp.edge.exchange.Exchange}): route, open
 * the tunnel stream, retry once where safe, answer 502/503/504 with {@code Warp-Ray}, time out,
 * abort, record metrics; and what every path shares: the headers added towards the app, ray ids,
 * the edge's own error responses.
 */
@NullMarked
package dev.warp.edge.exchange;

import org.jspecify.annotations.NullMarked;
