/**
 * The node's event stream: one bus ({@link io.raftoral.events.NodeEvents}) that turns what the layers below already
 * publish (Raft group events, workflow events, changes of the management view) into {@link
 * io.raftoral.events.NodeEvent}s, and hands them to subscribers (the HTTP {@code GET /events} stream, the gRPC
 * {@code WatchEvents} stream, the web console) through bounded buffers.
 *
 * <p>Layering: this package reads {@code management}, {@code group} and {@code workflow}; the node wires it, the
 * network APIs serve it. Nothing below points here.
 */
package io.raftoral.events;
