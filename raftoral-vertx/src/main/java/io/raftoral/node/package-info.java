/**
 * The assembled node: {@link io.raftoral.node.RaftoralNode} puts a {@link io.raftoral.host.RaftHost}, cluster 0
 * (management) and the execution clusters' workflow runtimes together, and routes workflow requests to the execution
 * cluster that runs them, forwarding to another node when this one is not a member ({@link
 * io.raftoral.node.PeerRequests}).
 */
package io.raftoral.node;
