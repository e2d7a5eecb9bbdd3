/**
 * The edge as a Spring Boot application: binds {@code edge.*} properties into
 * {@link dev.warp.edge.EdgeSettings} and runs the engine's {@link dev.warp.edge.EdgeNode} for the
 * life of the context.
 */
@NullMarked
package dev.warp.edge.app;



import org.jspecify.annotations.NullMarked;
