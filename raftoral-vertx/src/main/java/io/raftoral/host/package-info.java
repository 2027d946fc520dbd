/**
 * A node's multi-group Raft runtime: {@link io.raftoral.host.RaftHost} hosts any number of Raft groups (one
 * verticle per Raft group id), drives them all with one ticker, routes inbound messages to them over the event bus
 * ({@link io.raftoral.host.ClusterRouter}) and batches their outbound messages per peer ({@link
 * io.raftoral.host.PeerOutbox}). The workflow and management layers build on it; it knows neither.
 */
package io.raftoral.host;
