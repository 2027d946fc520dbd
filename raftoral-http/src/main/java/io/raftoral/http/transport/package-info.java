/**
 * The node-to-node Raft transport over HTTP: {@link io.raftoral.http.transport.HttpTransport} ({@code POST
 * /raft/v1/batch} with a {@code raftoral.v1.RaftBatch} protobuf body, mountable on the node's shared Vert.x Web
 * router) and its {@link io.raftoral.http.transport.HttpTransportOptions}.
 */
package io.raftoral.http.transport;
