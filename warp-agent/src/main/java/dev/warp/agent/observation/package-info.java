/**
 * What the tunnel reports about itself, with no metrics library: counters readable at any time
 * ({@link dev.warp.agent.observation.TunnelStatistics}) and events for observers that record
 * them somewhere ({@link dev.warp.agent.observation.TunnelObserver}), such as Micrometer in the
 * Spring Boot auto-configuration.
 */
@NullMarked
package dev.warp.agent.observation;

import org.jspecify.annotations.NullMarked;
