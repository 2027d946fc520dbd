/**
 * HTTP for Raftoral (module {@code raftoral-http}): the node-to-node HTTP transport that implements
 * the core's {@code Transport} SPI with the shared versioned wire schema, and the REST client API on Vert.x Web
 * ({@code /workflow/execute}, {@code /workflow/wait}, {@code /discovery/peers}, {@code /discovery/register},
 * {@code /health}, workflow list/status/terminate), later also the web console. Errors are JSON with a proper status
 * code; bad input never crashes a node.
 */
package io.raftoral.http;
