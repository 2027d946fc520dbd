/**
 * How Raft messages travel between nodes: the {@link io.raftoral.transport.Transport} SPI (a batch of messages of
 * many groups to one peer per send), the in-JVM transport over the Vert.x event bus, and a fault-injecting wrapper
 * for tests.
 */
package io.raftoral.transport;
