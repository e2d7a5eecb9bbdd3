/**
 * The edge node's own metrics: tunnels, connections and replicas per hostname, requests by
 * status, proxy latency and tunnel errors, served in Prometheus format.
 */
@NullMarked
package dev.warp.edge.metrics;

import org.jspecify.annotations.NullMarked;
