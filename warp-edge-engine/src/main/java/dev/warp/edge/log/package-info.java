/**
 * Logging of what hostile peers can trigger: text from visitors and agents escaped before it
 * reaches a log line, and warnings of one kind reported at most once a minute with a count, so
 * that a flood of bad connections neither forges nor floods the edge's log.
 */
@NullMarked
package dev.warp.edge.log;

import org.jspecify.annotations.NullMarked;
