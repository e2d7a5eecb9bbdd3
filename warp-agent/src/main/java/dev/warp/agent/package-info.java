/**
 * The Warp agent: serves a Spring {@code HttpHandler} through outbound tunnel connections to an
 * edge, with no Spring Boot needed. This package is the agent's API; {@code dev.warp.agent.internal}
 * is not.
 *
 * <p>Start a tunnel for an application's handler with {@link dev.warp.agent.TunnelSettings}, and
 * watch it:
 * <pre class="code">
 * TunnelSettings settings = TunnelSettings.builder("shop.example.test")
 *         .edgeAddresses(List.of(EdgeAddress.parse("edge.example.test:7844")))
 *         .caCertificate(Path.of("ca.pem"))        // the edge's CA; or a connector token's pin
 *         .token(System.getenv("WARP_TOKEN"))      // obtains the origin certificate
 *         .build();
 * WarpTunnel tunnel = new WarpTunnel(settings, httpHandler);  // InvalidCaCertificateException
 * tunnel.statistics().addObserver(new TunnelObserver() {
 *     public void requestCompleted(TunnelRequest request) { ... }
 * });
 * tunnel.start();                                  // MissingTokenException, CredentialsDirectoryException
 * tunnel.credentialsObtained().block();            // fails with ProvisioningException if refused
 * tunnel.registered().block(Duration.ofSeconds(10));
 * for (ConnectionSnapshot connection : tunnel.connections()) {
 *     System.out.println(connection.edge() + " " + connection.state() + " " + connection.rttMillis());
 * }
 * ...
 * tunnel.stop().block();                           // drains in-flight requests first
 * </pre>
 *
 * <p>What it reports needs no metrics library: {@link dev.warp.agent.TunnelStatistics} holds
 * counters readable at any time and tells {@link dev.warp.agent.TunnelObserver}s about each
 * request and reconnect; {@link dev.warp.agent.WarpTunnel#connections()} shows every connection
 * as a {@link dev.warp.agent.ConnectionSnapshot}. {@code dev.warp.agent.management} keeps an
 * application's management endpoints from visitors.
 */
@NullMarked
package dev.warp.agent;

import org.jspecify.annotations.NullMarked;
