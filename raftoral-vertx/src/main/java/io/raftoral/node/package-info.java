/**
 * A node's multi-group Raft runtime: {@link io.raftoral.node.RaftHost} hosts any number of Raft groups (one
 * verticle per cluster id), drives them all with one ticker, routes inbound messages to them over the event bus
 * ({@link io.raftoral.node.ClusterRouter}) and batches their outbound messages per peer.
 */
package io.raftoral.node;
