/**
 * What the tunnel keeps of an application's management endpoints (Spring Boot's Actuator) from
 * visitors: {@link dev.warp.agent.management.ManagementEndpointGuard} wraps the application's
 * handler for the tunnel only, so that the application's own port is unaffected.
 */
@NullMarked
package dev.warp.agent.management;

import org.jspecify.annotations.NullMarked;
