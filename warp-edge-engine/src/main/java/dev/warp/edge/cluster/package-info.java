/**
 * Several edge nodes as one: the route table they share through Redis (leases with a TTL), and
 * the mutually authenticated edge-to-edge connections that carry a visitor's request to the node
 * that holds its tunnel.
 */
@NullMarked
package dev.warp.edge.cluster;

import org.jspecify.annotations.NullMarked;
