/**
 * One tunnel connection: dialling, TLS, the HTTP/2 server role on it, the control stream.
 */
@NullMarked
package dev.warp.agent.connection;

import org.jspecify.annotations.NullMarked;
